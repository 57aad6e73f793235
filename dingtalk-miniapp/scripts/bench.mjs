// Performance budget of the villager first screen (issue 10 §6), a benchmark, not a test:
// against a running `aidazu serve` (BASE_URL), logged in as demo-villager, it loads `/` (首页) in a
// 360×640 phone profile with the cache disabled and prints, as Markdown:
//  - JS and CSS requests and their gzip sizes (the .gz files the server sends), HTML and API calls;
//  - largest contentful paint with Fast 3G (562.5 ms RTT, 1.47 Mbit/s down) and 4× CPU throttling,
//    beside a static page of the same bytes (the rendered 首页 without scripts, padded to the same
//    size, its CSS kept) served by the same server from the same folder.
// Usage: BASE_URL=http://127.0.0.1:8080 DIST=dist node scripts/bench.mjs
import { readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const DIST = process.env.DIST ?? 'dist';
const RUNS = Number(process.env.RUNS ?? 3);
const PHONE = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  userAgent:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking'],
});
const ctx = await browser.newContext(PHONE);
await ctx.addInitScript(() => {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
});
const page = await ctx.newPage();
await page.goto(`${BASE}/?demoUser=demo-villager`);
await page.waitForURL((u) => !u.search.includes('demoUser') && !u.pathname.startsWith('/login'));
await page.locator('[data-test="year-score"]').waitFor();

const cdp = await ctx.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

/** Loads `url` throttled; returns the LCP and the requests seen. */
async function measure(url, waitFor) {
  const requests = new Map();
  const onRequest = (e) => requests.set(e.requestId, { url: e.request.url, type: e.type, bytes: 0 });
  const onFinished = (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  };
  cdp.on('Network.requestWillBeSent', onRequest);
  cdp.on('Network.loadingFinished', onFinished);
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(waitFor).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const lcp = await page.evaluate(() => window.__lcp);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  cdp.off('Network.requestWillBeSent', onRequest);
  cdp.off('Network.loadingFinished', onFinished);
  return { lcp, requests: [...requests.values()] };
}

function gzipSize(url) {
  const path = join(DIST, new URL(url).pathname);
  try {
    return statSync(`${path}.gz`).size;
  } catch {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  }
}

const app = [];
let firstRequests = null;
for (let i = 0; i < RUNS; i++) {
  const run = await measure(`${BASE}/`, '[data-test="year-score"]');
  app.push(run.lcp);
  firstRequests ??= run.requests;
}

const assets = firstRequests.filter((r) => r.type === 'Script' || r.type === 'Stylesheet');
const js = assets.filter((r) => r.type === 'Script');
const css = assets.filter((r) => r.type === 'Stylesheet');
const sum = (list, f) => list.reduce((a, r) => a + f(r), 0);
const jsGz = sum(js, (r) => gzipSize(r.url));
const cssGz = sum(css, (r) => gzipSize(r.url));
const wire = sum(assets, (r) => r.bytes);
const docs = firstRequests.filter((r) => r.type === 'Document');
const api = firstRequests.filter((r) => r.type === 'Fetch' || r.type === 'XHR');

// The static twin: the rendered 首页 without scripts, padded to the same number of bytes.
await page.goto(`${BASE}/`);
await page.locator('[data-test="year-score"]').waitFor();
let html = await page.evaluate(() => {
  const clone = document.documentElement.cloneNode(true);
  clone.querySelectorAll('script, link[rel="modulepreload"]').forEach((n) => n.remove());
  return '<!doctype html>' + clone.outerHTML;
});
const target = jsGz + cssGz;
const staticName = 'bench-static.html';
const pad = Math.max(0, target - html.length);
// Incompressible padding, so the static page weighs the same on the wire.
let seed = 1;
const noise = Array.from({ length: pad }, () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return String.fromCharCode(33 + (seed % 90)).replace(/[<>&-]/, 'x');
}).join('');
html = html.replace('</body>', `<!--${noise}--></body>`);
writeFileSync(join(DIST, staticName), html);
const stat = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const run = await measure(`${BASE}/${staticName}`, '[data-test="year-score"]');
    stat.push(run.lcp);
  }
} finally {
  unlinkSync(join(DIST, staticName));
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => (n / 1024).toFixed(1);
const date = new Date().toISOString().slice(0, 10);
console.log(`## Villager first screen (issue 10 budget; \`dingtalk-miniapp/scripts/bench.mjs\`)

Measured ${date} against \`aidazu serve\` (debug build, SQLite, demo data) on loopback; Debian
Chromium, 360×640 phone profile, cache disabled, logged in as demo-villager, page \`/\` (首页).
Throttled with CDP: Fast 3G (562.5 ms RTT, 1.47 Mbit/s down, 675 kbit/s up) and 4× CPU slowdown;
median of ${RUNS} loads.

| figure | value | budget |
|---|---|---|
| JS requests / gzip size | ${js.length} / ${kb(jsGz)} KB | |
| CSS requests / gzip size | ${css.length} / ${kb(cssGz)} KB | |
| JS + CSS gzip | ${kb(jsGz + cssGz)} KB | ≤ 150 KB |
| JS + CSS requests | ${assets.length} | ≤ 6 |
| JS + CSS bytes on the wire (brotli, as sent) | ${kb(wire)} KB | |
| HTML documents / API calls | ${docs.length} / ${api.length} | |
| LCP, the app | ${Math.round(median(app))} ms (runs: ${app.map(Math.round).join(', ')}) | ≤ 3000 ms |
| LCP, static page of the same bytes | ${Math.round(median(stat))} ms (runs: ${stat.map(Math.round).join(', ')}) | |

Files: ${assets.map((r) => new URL(r.url).pathname.replace('/assets/', '')).join(', ')}.`);
