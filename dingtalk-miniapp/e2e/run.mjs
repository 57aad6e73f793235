// Browser stories against a real `aidazu serve` (started by scripts/test): Debian Chromium driven
// by playwright-core, axe-core for accessibility, screenshots of every page in both modes.
// Env: BASE_URL (the service), SCREENSHOTS (folder). Prints one line per story and a closing
// "N passed, N failed" line; a story that fails is run once more and, if it then passes, reported as
// flaky with its first failure; exits non-zero when a story failed twice.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SCREENSHOTS ?? 'artifacts/screenshots';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(SHOTS, { recursive: true });

const PHONE = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  // A plain Android browser: no DingTalk bridge, so the sim-mode login applies.
  userAgent:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};
const DESKTOP = { viewport: { width: 1366, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

// ---------------------------------------------------------------- tiny PNG writer (test photos)
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A w×h RGB PNG, a gradient seeded so every photo has its own content. */
export function png(seed, w = 120, h = 90) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 2 + seed * 37) & 0xff;
      raw[o + 1] = (y * 3 + seed * 11) & 0xff;
      raw[o + 2] = (x + y + seed * 53) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const runSeed = Date.now() % 200;
const photo = (n) => ({ name: `photo-${n}.png`, mimeType: 'image/png', buffer: png(runSeed + n) });

// ---------------------------------------------------------------- harness
const stories = [];
const story = (name, fn) => stories.push({ name, fn });
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

let browser;
async function phone(care = false) {
  const ctx = await browser.newContext(PHONE);
  ctx.setDefaultTimeout(10_000);
  if (care) await ctx.addInitScript(() => window.localStorage.setItem('aidazu.care', '1'));
  return ctx;
}

async function shot(page, name) {
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Logs in through `?demoUser=` and waits for the page to leave the login step. */
async function villagerLogin(page, user = 'demo-villager', path = '/') {
  await page.goto(`${BASE}${path}${path.includes('?') ? '&' : '?'}demoUser=${user}`);
  await page.waitForURL((url) => !url.search.includes('demoUser') && !url.pathname.startsWith('/login'), { timeout: 20_000 });
}

async function consoleLogin(page, user = 'demo-admin', path = '/console/') {
  await page.goto(`${BASE}${path}?demoUser=${user}`);
  await page.waitForURL((url) => !url.search.includes('demoUser') && !url.pathname.startsWith('/console/login'), { timeout: 20_000 });
  await page.getByRole('menubar', { name: '功能菜单' }).or(page.locator('.el-menu')).first().waitFor();
}

async function householdFigures(page) {
  await page.goto(`${BASE}/`);
  const year = page.locator('[data-test="year-score"]');
  await year.waitFor();
  return { year: Number(await year.innerText()), balance: Number(await page.locator('[data-test="balance"]').innerText()) };
}

/** Fills 我要申报 up to the photos: the first category with an available item needing photos. */
async function fillDeclaration(page, text, photos) {
  await page.goto(`${BASE}/declare`);
  await page.getByRole('heading', { name: '第一步：选择类别' }).waitFor();
  const categories = page.locator('[aria-label="类别"] button');
  await categories.first().waitFor();
  const count = await categories.count();
  // Prefer items without a cap (stories run in any order on one database), else any available one.
  let fallback = null;
  let chosen = null;
  for (let i = 0; i < count && !chosen; i++) {
    await categories.nth(i).click();
    const cells = page.locator('[aria-label="事项"] .van-cell:not(.disabled)');
    const n = await cells.count();
    for (let j = 0; j < n; j++) {
      const label = await cells.nth(j).innerText();
      if (!label.includes('需 1 张以上照片') || label.includes('已达上限')) continue;
      if (!label.includes('本期还可申报')) {
        await cells.nth(j).click();
        chosen = label.split('\n')[0];
        break;
      }
      fallback ??= { i, j, title: label.split('\n')[0] };
    }
  }
  if (!chosen && fallback) {
    await categories.nth(fallback.i).click();
    await page.locator('[aria-label="事项"] .van-cell:not(.disabled)').nth(fallback.j).click();
    chosen = fallback.title;
  }
  expect(chosen, 'no declarable item needing a photo');
  await page.locator('textarea').fill(text);
  if (photos.length) {
    await page.locator('input[type=file]').setInputFiles(photos);
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.van-uploader__preview').length === n &&
        !document.querySelector('.van-uploader__mask'),
      photos.length,
      { timeout: 20_000 },
    );
  }
  return chosen;
}

async function submitDeclaration(page) {
  await page.getByRole('button', { name: '提交申报' }).click();
  await page.waitForURL(/\/declarations/, { timeout: 20_000 });
  await page.getByText('申报已提交').waitFor();
}

/** In the console's review queue: approve or refuse the newest declaration titled `title`. */
async function decide(page, title, text, outcome, reason) {
  await page.goto(`${BASE}/console/review`);
  const row = page.locator('[data-test="review-row"]', { hasText: text });
  await row.first().waitFor({ timeout: 20_000 });
  expect((await row.count()) === 1, `one row for ${text}`);
  expect((await row.innerText()).includes(title), `row shows ${title}`);
  await row.locator('img').nth(0).waitFor({ timeout: 10_000 });
  if (outcome === 'approve') {
    await row.getByRole('button', { name: '通过' }).click();
    await page.locator('.el-message', { hasText: '已通过' }).waitFor();
  } else {
    await row.getByRole('button', { name: '退回' }).click();
    await page.getByRole('dialog').locator('textarea').fill(reason);
    await page.getByRole('button', { name: '确认退回' }).click();
    await page.locator('.el-message', { hasText: '已退回' }).waitFor();
  }
}

// ---------------------------------------------------------------- style checks
/** Texts below `min` px and main targets smaller than `target` px on the current page. */
async function styleProblems(page, { min, target }) {
  return page.evaluate(
    ({ min, target }) => {
      const problems = [];
      const visible = (el) => {
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
      };
      for (const el of document.querySelectorAll('body *')) {
        if (!visible(el)) continue;
        const hasText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!hasText) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < min) problems.push(`text ${size}px: "${el.textContent.trim().slice(0, 20)}" <${el.tagName.toLowerCase()} class="${el.className}">`);
      }
      if (target) {
        const targets = document.querySelectorAll(
          '.van-button, .van-tabbar-item, .van-cell--clickable, .van-grid-item__content, input[type=date], .van-uploader__upload, .van-nav-bar__left, .tap',
        );
        for (const el of targets) {
          if (!visible(el)) continue;
          const r = el.getBoundingClientRect();
          if (r.height < target - 0.5 || r.width < target - 0.5) {
            problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: "${el.textContent.trim().slice(0, 20)}" <${el.tagName.toLowerCase()} class="${el.className}">`);
          }
        }
      }
      return problems;
    },
    { min, target },
  );
}

async function axeProblems(page) {
  // A toast (ElMessage, Vant) fading in or out is half transparent, and axe measures the blended
  // colours: scan once running finite animations and transitions have settled (a toast fully
  // shown is still scanned). Endless ones (spinners) are ignored.
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
      null,
      { timeout: 5000, polling: 100 },
    )
    .catch(() => undefined);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// ---------------------------------------------------------------- stories
let approvedTitle = null;

story('villager logs in, declares with two photos, admin approves in the console, villager sees the points', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  const before = await householdFigures(page);
  const text = `e2e 清扫村道 ${Date.now()}`;
  approvedTitle = await fillDeclaration(page, text, [photo(1), photo(2)]);
  await submitDeclaration(page);
  const card = page.locator('[data-test="declaration"]', { hasText: text });
  expect((await card.locator('[data-test="state"]').innerText()).includes('审核中'), 'shown as 审核中');

  const admin = await browser.newContext(DESKTOP);
  const console_ = await admin.newPage();
  await consoleLogin(console_);
  await decide(console_, approvedTitle, text, 'approve');
  await shot(console_, 'console-review-after-approve');
  await admin.close();

  await page.goto(`${BASE}/declarations`);
  await card.locator('[data-test="state"]', { hasText: '已通过' }).waitFor();
  const points = Number((await card.locator('.amount-plus').innerText()).replace('+', ''));
  expect(points > 0, 'approved points shown');
  const after = await householdFigures(page);
  expect(after.year === before.year + points, `year score ${before.year} + ${points} = ${after.year}`);
  expect(after.balance === before.balance + points, 'balance grew by the points');
  await page.goto(`${BASE}/ledger`);
  await page.locator('[data-test="ledger-line"]', { hasText: approvedTitle }).first().waitFor();
  await ctx.close();
});

story('a refusal shows its reason to the villager', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  const text = `e2e 退回测试 ${Date.now()}`;
  const title = await fillDeclaration(page, text, [photo(3)]);
  await submitDeclaration(page);
  const admin = await browser.newContext(DESKTOP);
  const console_ = await admin.newPage();
  await consoleLogin(console_);
  await decide(console_, title, text, 'reject', '照片看不清，请重拍');
  await admin.close();
  await page.goto(`${BASE}/declarations`);
  const card = page.locator('[data-test="declaration"]', { hasText: text });
  await card.locator('[data-test="state"]', { hasText: '已驳回' }).waitFor();
  expect((await card.locator('[data-test="reason"]').innerText()).includes('照片看不清，请重拍'), 'reason shown');
  await ctx.close();
});

story('bad input shows the server Chinese message: a non-image, a missing text', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  await fillDeclaration(page, '', []);
  await page.getByRole('button', { name: '提交申报' }).click();
  await page.locator('[data-test="submit-error"]', { hasText: '请写明做了什么' }).waitFor();
  await page.locator('textarea').fill('e2e 非图片');
  await page.locator('input[type=file]').setInputFiles([{ name: 'note.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这不是图片 not an image') }]);
  const error = page.locator('[data-test="submit-error"]');
  await error.waitFor({ timeout: 15_000 });
  const message = await error.innerText();
  expect(/[\u4e00-\u9fa5]/.test(message) && !message.includes('photo.'), `Chinese server message, got "${message}"`);
  await shot(page, 'villager-declare-error');
  await ctx.close();
});

story('an expired session that cannot refresh ends with a clear message', async () => {
  const ctx = await phone();
  await ctx.addInitScript(() => {
    if (!sessionStorage.getItem('seeded')) {
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem('aidazu.villager.tokens', JSON.stringify({ accessToken: 'x.y.z', refreshToken: 'revoked', expiresAt: 0 }));
      localStorage.setItem('aidazu.villager.profile', JSON.stringify({ name: '唐平', member: null, household: null, roles: [], accountId: 1 }));
    }
  });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/ledger`);
  await page.getByText('登录已过期，请重新登录').first().waitFor({ timeout: 15_000 });
  await page.waitForURL(/\/login/);
  await ctx.close();
});

story('demo login is refused with a clear page for an unknown demo user', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/?demoUser=nobody-here`);
  await page.getByText('用户不存在').waitFor({ timeout: 15_000 });
  await ctx.close();
});

story('the villager withdraws a declaration still in review', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  const text = `e2e 撤回测试 ${Date.now()}`;
  await fillDeclaration(page, text, [photo(4)]);
  await submitDeclaration(page);
  const card = page.locator('[data-test="declaration"]', { hasText: text });
  await card.getByRole('button', { name: '撤回申报' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '撤回', exact: true }).click();
  await card.locator('[data-test="state"]', { hasText: '已撤回' }).waitFor();
  expect((await card.getByRole('button', { name: '撤回申报' }).count()) === 0, 'no withdraw button any more');
  await ctx.close();
});

story('an admin approves in the DingTalk approval (simulator page) and the villager sees it', async () => {
  const config = await (await fetch(`${BASE}/api/v1/client-config`)).json();
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  const text = `e2e 钉钉审批 ${Date.now()}`;
  await fillDeclaration(page, text, [photo(5)]);
  await submitDeclaration(page);
  // The outbox creates the DingTalk approval; its id shows on the declaration.
  let instance = null;
  for (let i = 0; i < 60 && !instance; i++) {
    instance = await page.evaluate(async (t) => {
      const tokens = JSON.parse(localStorage.getItem('aidazu.villager.tokens'));
      const r = await fetch('/api/v1/declarations', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      const d = (await r.json()).items.find((x) => x.text === t);
      return d?.processInstanceId ?? null;
    }, text);
    if (!instance) await page.waitForTimeout(500);
  }
  expect(instance, 'the approval was created in DingTalk');
  const sim = await ctx.newPage();
  await sim.goto(`${config.simUrl}/sim/`);
  const form = sim.locator(`form[action="/sim/ui/approvals/${instance}/decide"]`);
  await form.locator('select[name="staffId"]').selectOption('demo-admin');
  await form.locator('input[name="remark"]').fill('同意');
  await form.getByRole('button', { name: '同意' }).click();
  await sim.waitForLoadState('load');
  const card = page.locator('[data-test="declaration"]', { hasText: text });
  for (let i = 0; i < 40; i++) {
    await page.goto(`${BASE}/declarations`);
    await card.waitFor();
    if ((await card.locator('[data-test="state"]').innerText()).includes('已通过')) break;
    await page.waitForTimeout(500);
  }
  expect((await card.locator('[data-test="state"]').innerText()).includes('已通过'), 'approved through DingTalk');
  await shot(sim, 'dingtalk-simulator-after-approval');
  await ctx.close();
});

story('the console flags a photo used twice and approves a batch', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  const stamp = Date.now();
  const same = photo(7);
  await fillDeclaration(page, `e2e 重复照片甲 ${stamp}`, [same]);
  await submitDeclaration(page);
  await fillDeclaration(page, `e2e 重复照片乙 ${stamp}`, [same]);
  await submitDeclaration(page);
  const admin = await browser.newContext(DESKTOP);
  const console_ = await admin.newPage();
  await consoleLogin(console_);
  await console_.goto(`${BASE}/console/review`);
  const rows = console_.locator('[data-test="review-row"]', { hasText: `重复照片` }).filter({ hasText: String(stamp) });
  await rows.first().waitFor();
  expect((await rows.count()) === 2, 'both in the queue');
  for (let i = 0; i < 2; i++) {
    expect((await rows.nth(i).locator('[data-test="reuse"]').count()) === 1, 'reuse flagged');
    await rows.nth(i).locator('.el-checkbox').click();
  }
  await shot(console_, 'console-review-reuse-flag');
  await console_.getByRole('button', { name: /批量通过所选（2）/ }).click();
  await console_.locator('.el-message', { hasText: '已通过 2 条' }).waitFor();
  await admin.close();
  await page.goto(`${BASE}/declarations`);
  for (const name of ['甲', '乙']) {
    const card = page.locator('[data-test="declaration"]', { hasText: `e2e 重复照片${name} ${stamp}` });
    await card.locator('[data-test="state"]', { hasText: '已通过' }).waitFor();
  }
  await ctx.close();
});

/** A session over the API alone (no browser): a simulator code exchanged for tokens. */
async function apiSession(user, client = 'console') {
  const config = await (await fetch(`${BASE}/api/v1/client-config`)).json();
  const { code } = await (
    await fetch(`${config.simUrl}/sim/auth-codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: user }) })
  ).json();
  const session = await (
    await fetch(`${BASE}/api/v1/auth/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ authCode: code, client }) })
  ).json();
  return session;
}

story('the villager orders in 积分超市, sees the pick-up code and cancels within 10 minutes', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const name = `洗衣粉 ${String(Date.now()).slice(-4)}`;
  const created = await fetch(`${BASE}/api/v1/admin/villages/${villageId}/shop/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
    body: JSON.stringify({ name, pointsPrice: 2, stock: 5, kind: 'daily_goods' }),
  });
  expect(created.status === 201, `item created (${created.status})`);
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/shop');
  const balance = Number(await page.locator('[data-test="shop-balance"]').innerText());
  const item = page.locator('[data-test="shop-item"]', { hasText: name });
  await item.getByRole('button', { name: '兑换' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '兑换', exact: true }).click();
  await page.getByText('兑换成功，取货码').waitFor();
  const order = page.locator('[data-test="order"]', { hasText: name }).first();
  expect(/^\d{6}$/.test(await order.locator('[data-test="pickup-code"]').innerText()), 'six-digit pick-up code');
  await order.locator('img.qr').waitFor();
  expect(Number(await page.locator('[data-test="shop-balance"]').innerText()) === balance - 2, 'balance took the price');
  await shot(page, 'villager-shop-ordered');
  await order.getByRole('button', { name: '取消兑换' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '取消兑换', exact: true }).click();
  await page.getByText('已取消，积分已退回').waitFor();
  await order.locator('[data-test="order-status"]', { hasText: '已取消' }).waitFor();
  expect(Number(await page.locator('[data-test="shop-balance"]').innerText()) === balance, 'points refunded');
  await ctx.close();
});

story('the villager checks in to a sharing activity with its code, once per household', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` };
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const topic = `垃圾分类分享会 ${String(Date.now()).slice(-4)}`;
  const created = await fetch(`${BASE}/api/v1/admin/villages/${villageId}/activities`, {
    method: 'POST', headers: auth, body: JSON.stringify({ topic, place: '村委会议室', heldOn: today }),
  });
  expect(created.status === 201, `activity created (${created.status})`);
  const activity = await created.json();
  const opened = await fetch(`${BASE}/api/v1/admin/activities/${activity.id}/checkin`, { method: 'POST', headers: auth, body: JSON.stringify({ open: true }) });
  expect(opened.ok, `check-in opened (${opened.status})`);
  const { code } = await (await fetch(`${BASE}/api/v1/admin/activities/${activity.id}/checkin-code`, { headers: auth })).json();
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/activities');
  await page.getByLabel('签到码').fill(code);
  await page.getByRole('button', { name: '签到', exact: true }).click();
  await page.locator('[data-test="checkin-notice"]', { hasText: `签到成功：${topic}` }).waitFor();
  await page.locator('[data-test="activity"]', { hasText: topic }).getByText('本户已签到').waitFor();
  await shot(page, 'villager-activities-checked-in');
  await page.getByLabel('签到码').fill(code);
  await page.getByRole('button', { name: '签到', exact: true }).click();
  await page.locator('[data-test="checkin-notice"]', { hasText: '本户已经签到过' }).waitFor();
  await page.getByLabel('签到码').fill('不是签到码');
  await page.getByRole('button', { name: '签到', exact: true }).click();
  const error = page.getByRole('alert');
  await error.waitFor();
  expect(/[\u4e00-\u9fa5]/.test(await error.innerText()), 'a Chinese refusal for a bad code');
  await ctx.close();
});

// ---------------------------------------------------------------- the quarterly cycle (issue 8)
// `aidazu serve` publishes the last ended quarter at start (the scheduler, R16), so the test
// server has a published board whose objection window (7 days) is open.

story('the villager reads 积分榜: the published quarter, the household pinned, the average and the window', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/board');
  const mine = page.locator('[data-test="my-line"]');
  await mine.getByText('★ 本户').waitFor();
  expect(/第 \d+ 名/.test(await page.locator('[data-test="my-rank"]').innerText()), 'my rank');
  await page.locator('[data-test="average"]').waitFor();
  await page.locator('[data-test="window"]', { hasText: '前可以提出异议' }).waitFor();
  const rows = page.locator('[data-test="board-row"]');
  await rows.nth(1).waitFor();
  expect((await rows.first().innerText()).includes('（本户）'), 'own line first, marked in words');
  const poster = await page.getByRole('link', { name: '查看公示海报（PDF）' }).getAttribute('href');
  expect(/poster\.pdf/.test(poster ?? ''), 'poster link');
  const boardPage = await page.getByRole('link', { name: '打开公示页面' }).getAttribute('href');
  expect((await fetch(boardPage.startsWith('http') ? boardPage : `${BASE}${boardPage}`)).status === 200, 'board page answers');
  await shot(page, 'villager-board');
  await page.getByRole('button', { name: '对本户积分提出异议' }).click();
  await page.waitForURL(/\/objections\?quarter=/);
  await page.getByRole('heading', { name: '对公示积分提出异议' }).waitFor();
  await ctx.close();
});

story('the villager objects with a photo, the committee rejects, the villager escalates, the town upholds', async () => {
  const stamp = String(Date.now()).slice(-5);
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/objections');
  await page.getByRole('heading', { name: '对公示积分提出异议' }).waitFor();
  await page.getByRole('button', { name: '提交异议' }).click();
  const refusal = page.locator('[data-test="objection-error"]');
  await refusal.waitFor();
  expect(/[\u4e00-\u9fa5]/.test(await refusal.innerText()), 'an empty objection is refused in Chinese');
  await page.getByLabel('异议内容').fill(`e2e 异议 ${stamp}：垃圾分类的分没有算进来`);
  await page.locator('.van-uploader__input').setInputFiles([photo(71)]);
  await page.locator('.van-uploader__preview').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.van-uploader__mask'));
  await page.getByRole('button', { name: '提交异议' }).click();
  await page.locator('[data-test="objection-notice"]', { hasText: '异议已提交' }).waitFor();
  const mine = page.locator('[data-test="objection"]', { hasText: `e2e 异议 ${stamp}` });
  await mine.locator('[data-test="objection-state"]', { hasText: '待处理' }).waitFor();
  await shot(page, 'villager-objection-filed');

  const desk = await browser.newContext(DESKTOP);
  const committee = await desk.newPage();
  await consoleLogin(committee, 'demo-committee', '/console/objections');
  const row = committee.locator('[data-test="objection-row"]', { hasText: `e2e 异议 ${stamp}` });
  await row.waitFor();
  await row.locator('img').first().waitFor();
  await shot(committee, 'console-objections-open');
  await row.getByRole('button', { name: '不采纳' }).click();
  await committee.getByRole('dialog').getByLabel('理由').fill('经核对，该次垃圾分类已计入二季度');
  await committee.getByRole('dialog').getByRole('button', { name: '确定' }).click();
  await committee.getByText('已答复不采纳').waitFor();

  await page.reload();
  await mine.locator('[data-test="objection-state"]', { hasText: '未采纳' }).waitFor();
  await mine.locator('[data-test="objection-answer"]', { hasText: '已计入二季度' }).waitFor();
  await mine.getByRole('button', { name: '不服，申请镇街复核' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '提交镇街' }).click();
  await mine.locator('[data-test="objection-state"]', { hasText: '已上报镇街' }).waitFor();

  const town = await desk.newPage();
  await consoleLogin(town, 'demo-town', '/console/objections');
  expect((await town.getByRole('button', { name: '不采纳' }).count()) === 0 || (await town.locator('[data-test="objection-row"]', { hasText: '待处理' }).count()) === 0, 'the town has no buttons on open ones');
  const escalated = town.locator('[data-test="objection-row"]', { hasText: `e2e 异议 ${stamp}` });
  await escalated.waitFor();
  await escalated.getByRole('button', { name: '采纳并更正' }).click();
  await town.getByRole('dialog').getByLabel('更正积分').fill('2');
  await town.getByRole('dialog').getByLabel('理由').fill('现场照片属实，补记 2 分');
  await town.getByRole('dialog').getByRole('button', { name: '确定' }).click();
  await town.getByText('已采纳').first().waitFor();
  await page.reload();
  await mine.locator('[data-test="objection-state"]', { hasText: '镇街已采纳' }).waitFor();
  await mine.getByText('更正积分：+2 分').waitFor();
  await shot(page, 'villager-objection-upheld');
  await desk.close();
  await ctx.close();
});

story('a committee member whose household objects gets no decision buttons on it (D6)', async () => {
  const member = await apiSession('demo-committee', 'miniapp');
  const { publications } = await (await fetch(`${BASE}/api/v1/me/publications`, { headers: { authorization: `Bearer ${member.accessToken}` } })).json();
  const stamp = String(Date.now()).slice(-5);
  const filed = await fetch(`${BASE}/api/v1/objections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${member.accessToken}` },
    body: JSON.stringify({ quarter: publications[0].quarter, text: `e2e 回避 ${stamp}：本户的分少算了` }),
  });
  expect(filed.status === 201, `objection filed (${filed.status})`);
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-committee', '/console/objections');
  const row = page.locator('[data-test="objection-row"]', { hasText: `e2e 回避 ${stamp}` });
  await row.getByText('须由其他村支两委成员处理').waitFor();
  expect((await row.getByRole('button').count()) === 0, 'no decision buttons on an objection of the own household');
  await ctx.close();
});

story('console 季度公示: the quarter listed, the board previewed, poster PDF and xlsx answer', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-admin', '/console/publication');
  const table = page.locator('[data-test="publications-table"]');
  await table.locator('.el-table__row').first().waitFor();
  expect(/\d{4}年第.季度/.test(await table.innerText()), 'a published quarter');
  await page.locator('[data-test="board-preview"] .el-table__row').first().waitFor();
  await page.locator('[data-test="jobs-table"]', { hasText: '季度公示' }).waitFor();
  // The scheduler published the last ended quarter at start: the card says so, no 立即公示 button.
  await page.locator('[data-test="already-published"]').waitFor();
  expect((await page.locator('[data-test="publish-now"]').count()) === 0, 'no publish button for a published quarter');
  const poster = await table.getByRole('link', { name: '海报 PDF' }).first().getAttribute('href');
  const xlsx = await table.getByRole('link', { name: '表格 xlsx' }).first().getAttribute('href');
  const pdf = await fetch(`${BASE}${poster}`);
  expect(pdf.status === 200 && (pdf.headers.get('content-type') ?? '').includes('pdf'), `poster ${pdf.status}`);
  const sheet = await fetch(`${BASE}${xlsx}`);
  expect(sheet.status === 200 && (sheet.headers.get('content-type') ?? '').includes('spreadsheet'), `xlsx ${sheet.status}`);
  await shot(page, 'console-publication');
  await ctx.close();
});

story('console 荣誉评选: the committee nominates, an ineligible household is refused with the server reason, xlsx export', async () => {
  const ctx = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-committee', '/console/honours');
  await page.locator('[data-test="honours-explain"]', { hasText: '全村平均分' }).waitFor();
  const rows = page.locator('[data-test="honours-table"] .el-table__row');
  await rows.first().waitFor();
  const refused = rows.filter({ hasText: '未高于平均分' }).first();
  await refused.getByRole('button', { name: '提名' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '提名', exact: true }).click();
  await page.locator('[data-test="nomination-error"]', { hasText: '不符合评先条件' }).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
  const eligible = rows.filter({ hasText: '可评选（高于平均分）' }).filter({ hasNotText: 'heping-01-001' }).first();
  const code = (await eligible.innerText()).split(/\s/)[0];
  await eligible.getByRole('button', { name: '提名' }).click();
  await page.getByRole('dialog').getByText(code).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: '提名', exact: true }).click();
  await page.locator('[data-test="nominations-table"]', { hasText: code }).getByText('最美家庭').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出提名表（xlsx）' }).click()]);
  expect(download.suggestedFilename().endsWith('.xlsx'), 'an xlsx download');
  await shot(page, 'console-honours');
  await ctx.close();
  const other = await browser.newContext(DESKTOP);
  const admin = await other.newPage();
  await consoleLogin(admin, 'demo-admin', '/console/honours');
  await admin.getByText('只读：提名由本村村支两委进行').waitFor();
  await admin.locator('[data-test="honours-table"] .el-table__row').first().waitFor();
  expect((await admin.getByRole('button', { name: '提名', exact: true }).count()) === 0, 'the village admin cannot nominate');
  await other.close();
});

const VILLAGER_PAGES = [
  ['home', '/'],
  ['ledger', '/ledger'],
  ['declare', '/declare'],
  ['declarations', '/declarations'],
  ['me', '/me'],
  ['board', '/board'],
  ['objections', '/objections'],
  ['shop', '/shop'],
  ['activities', '/activities'],
];

for (const care of [false, true]) {
  const mode = care ? 'care' : 'standard';
  story(`villager pages in ${mode} mode: no text < 18 px${care ? ', targets ≥ 60 px' : ''}, axe 0 serious/critical`, async () => {
    const ctx = await phone(care);
    const page = await ctx.newPage();
    const problems = [];
    await page.goto(`${BASE}/login`);
    await page.getByText('演示账号').first().waitFor();
    await page.locator('.van-cell').first().waitFor();
    await shot(page, `villager-login-${mode}`);
    problems.push(...(await styleProblems(page, { min: 18, target: care ? 60 : 44 })).map((p) => `login: ${p}`));
    problems.push(...(await axeProblems(page)).map((p) => `login axe: ${p}`));
    await villagerLogin(page);
    expect((await page.evaluate(() => document.documentElement.classList.contains('care'))) === care, 'care class');
    for (const [name, path] of VILLAGER_PAGES) {
      await page.goto(`${BASE}${path}`);
      await page.locator('.van-nav-bar__title').waitFor();
      await page.waitForLoadState('networkidle');
      if (name === 'declare') {
        await page.locator('[aria-label="类别"] button').first().click();
        await page.locator('[aria-label="事项"] .van-cell:not(.disabled)').first().click();
        await page.locator('textarea').waitFor();
      }
      if (name === 'me') await page.getByText('怎样获得积分？').click();
      await shot(page, `villager-${name}-${mode}`);
      problems.push(...(await styleProblems(page, { min: 18, target: care ? 60 : 44 })).map((p) => `${name}: ${p}`));
      problems.push(...(await axeProblems(page)).map((p) => `${name} axe: ${p}`));
      if (care) {
        const main = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
        expect(main >= 20, `${name}: care-mode main text ${main}px`);
      }
    }
    expect(problems.length === 0, `\n    ${problems.join('\n    ')}`);
    await ctx.close();
  });
}

story('the 长辈版 switch on 首页 turns care mode on and it is remembered', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page);
  await page.getByRole('switch', { name: '长辈版' }).click();
  expect(await page.evaluate(() => document.documentElement.classList.contains('care')), 'care on');
  await page.reload();
  await page.locator('[data-test="year-score"]').waitFor();
  expect(await page.evaluate(() => document.documentElement.classList.contains('care')), 'still on after reload');
  const button = await page.locator('.van-tabbar-item').first().boundingBox();
  expect(button.height >= 60, `tabbar item ${button.height}px`);
  await ctx.close();
});

const CONSOLE_PAGES = [
  ['review', '/console/review'],
  ['entries', '/console/entries'],
  ['households', '/console/households'],
  ['audit', '/console/audit'],
  ['shop', '/console/shop'],
  ['activities', '/console/activities'],
  ['funds', '/console/funds'],
  ['publication', '/console/publication'],
  ['objections', '/console/objections'],
  ['honours', '/console/honours'],
];

for (const large of [false, true]) {
  const mode = large ? 'large' : 'standard';
  story(`console pages in ${mode} mode: review queue, audit trail, axe 0 serious/critical`, async () => {
    const ctx = await browser.newContext(DESKTOP);
    if (large) await ctx.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
    const page = await ctx.newPage();
    const problems = [];
    await page.goto(`${BASE}/console/login`);
    await page.getByText('演示模式').waitFor();
    await shot(page, `console-login-${mode}`);
    await consoleLogin(page);
    for (const [name, path] of CONSOLE_PAGES) {
      await page.goto(`${BASE}${path}`);
      await page.locator('.el-main h2').first().waitFor();
      await page.waitForLoadState('networkidle');
      if (name === 'review') await page.locator('.el-radio-button', { hasText: '全部' }).click();
      if (name === 'review') await page.locator('[data-test="review-row"]').first().waitFor();
      if (name === 'audit') {
        await page.locator('[data-test="audit-table"] .el-table__row').first().waitFor();
        const text = await page.locator('[data-test="audit-table"]').innerText();
        expect(text.includes('通过申报') && text.includes('提交申报'), 'audit shows submissions and approvals');
      }
      await shot(page, `console-${name}-${mode}`);
      problems.push(...(await axeProblems(page)).map((p) => `${name} axe: ${p}`));
    }
    // A household's own trail: from 户与成员 to its log.
    await page.goto(`${BASE}/console/households`);
    await page.locator('[data-test="households-table"] .el-table__row').first().waitFor();
    await page.locator('[data-test="households-table"] .el-table__row').first().getByRole('button', { name: '日志' }).click();
    await page.waitForURL(/householdId=/);
    expect(problems.length === 0, `\n    ${problems.join('\n    ')}`);
    await ctx.close();
  });
}

story('the admin adds a member to a household and records an opt-out', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page);
  await page.goto(`${BASE}/console/households`);
  const row = page.locator('[data-test="households-table"] .el-table__row').nth(3);
  await row.waitFor();
  await row.getByRole('button', { name: '成员' }).click();
  const drawer = page.locator('.el-drawer');
  await drawer.getByRole('button', { name: '新增成员' }).click();
  const name = `测试${String(Date.now()).slice(-4)}`;
  const dialog = page.getByRole('dialog', { name: '新增成员' });
  await dialog.getByLabel('姓名').fill(name);
  await dialog.getByRole('button', { name: '保存' }).click();
  await page.locator('.el-message', { hasText: '已新增成员' }).waitFor();
  const member = drawer.locator('.el-table__row', { hasText: name });
  await member.waitFor();
  await member.getByRole('button', { name: '退出积分' }).click();
  await page.getByRole('dialog').getByLabel('原因').fill('长期外出务工');
  await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
  await page.locator('.el-message', { hasText: '已记录' }).waitFor();
  await member.getByRole('button', { name: '参与积分' }).waitFor();
  await shot(page, 'console-household-members');
  await ctx.close();
});

story('the admin deducts points in 积分录入 and the villager sees the line', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page);
  await page.goto(`${BASE}/console/entries`);
  const item = (label) => page.locator('.el-form-item', { has: page.locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) });
  const pick = async (label, option) => {
    await item(label).locator('.el-select').click();
    const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
    await options.first().waitFor();
    await (option ? options.filter({ hasText: option }).first() : options.first()).click();
    await closedDropdowns();
  };
  const closedDropdowns = () =>
    page.waitForFunction(() => ![...document.querySelectorAll('.el-select-dropdown')].some((e) => e.getClientRects().length > 0));
  await pick('户', '唐平');
  await item('成员').locator('.el-select:not(.is-disabled)').waitFor();
  await pick('成员', '唐平');
  await item('事项').locator('.el-select').click();
  const negative = page.locator('.el-select-dropdown:visible .el-select-group__wrap', { hasText: '扣分' }).locator('.el-select-dropdown__item').first();
  const title = (await negative.innerText()).replace(/^\S+\s/, '');
  await negative.click();
  await closedDropdowns();
  const reason = `e2e 直接扣分 ${Date.now()}`;
  await item('事由').locator('textarea').fill(reason);
  await page.locator('.el-upload input[type=file]').setInputFiles([photo(9)]);
  await page.locator('.el-upload-list__item.is-success').waitFor();
  await page.getByRole('button', { name: '记入积分' }).click();
  await page.locator('.el-alert', { hasText: '已记入' }).waitFor();
  // The photo list is cleared with the form (after its leave transition).
  await page.waitForFunction(() => document.querySelectorAll('.el-upload-list__item').length === 0);
  await shot(page, 'console-entries-done');
  await ctx.close();
  const phoneCtx = await phone();
  const villager = await phoneCtx.newPage();
  await villagerLogin(villager, 'demo-villager', '/ledger');
  const line = villager.locator('[data-test="ledger-line"]', { hasText: reason });
  await line.waitFor();
  expect((await line.innerText()).includes('扣分 -'), `a deduction line for ${title}`);
  await phoneCtx.close();
});

story('the admin stocks 积分超市 in the console and hands an order over by its pick-up code', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page);
  await page.goto(`${BASE}/console/shop`);
  await page.getByRole('button', { name: '上架物品' }).click();
  const name = `食用油 ${String(Date.now()).slice(-4)}`;
  const dialog = page.getByRole('dialog', { name: '上架物品' });
  await dialog.getByLabel('名称').fill(name);
  const price = dialog.locator('.el-input-number').first().locator('input');
  await price.fill('1');
  await price.blur();
  await dialog.getByRole('button', { name: '上架' }).click();
  await page.locator('.el-message', { hasText: '已上架' }).waitFor();
  await page.locator('[data-test="items-table"] .el-table__row', { hasText: name }).waitFor();
  // The villager orders it (over the API, as the micro-app does).
  const villager = await apiSession('demo-villager', 'miniapp');
  const shop = await (await fetch(`${BASE}/api/v1/me/shop/items`, { headers: { authorization: `Bearer ${villager.accessToken}` } })).json();
  const item = shop.items.find((i) => i.name === name);
  const placed = await fetch(`${BASE}/api/v1/me/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${villager.accessToken}` },
    body: JSON.stringify({ itemId: item.id, quantity: 1 }),
  });
  expect(placed.status === 201, `order placed (${placed.status})`);
  const { pickupCode } = await placed.json();
  await page.reload();
  await page.locator('[data-test="orders-table"] .el-table__row', { hasText: pickupCode }).waitFor();
  await page.getByLabel('取货码').fill(pickupCode);
  await page.getByRole('button', { name: '交付', exact: true }).first().click();
  await page.locator('.el-message', { hasText: '已交付' }).waitFor();
  await page.locator('.el-radio-button', { hasText: '已交付' }).click();
  await page.locator('[data-test="orders-table"] .el-table__row', { hasText: pickupCode }).waitFor();
  await shot(page, 'console-shop-handed-over');
  await ctx.close();
});

story('the admin runs an activity in the console: check-in QR code, attendance', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page);
  await page.goto(`${BASE}/console/activities`);
  await page.getByRole('button', { name: '新建活动' }).click();
  const topic = `文明家庭经验分享 ${String(Date.now()).slice(-4)}`;
  const dialog = page.getByRole('dialog', { name: '新建活动' });
  await dialog.getByLabel('主题').fill(topic);
  await dialog.getByLabel('地点').fill('村文化广场');
  await dialog.getByRole('button', { name: '创建' }).click();
  await page.locator('.el-message', { hasText: '已创建' }).waitFor();
  const row = page.locator('[data-test="activities-table"] .el-table__row', { hasText: topic });
  await row.getByRole('button', { name: '开启签到' }).click();
  await page.locator('[data-test="checkin-qr"]').waitFor();
  await shot(page, 'console-activity-qr');
  // The villager scans; the test reads the same code over the API.
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const list = await (await fetch(`${BASE}/api/v1/admin/villages/${villageId}/activities`, { headers: { authorization: `Bearer ${admin.accessToken}` } })).json();
  const activity = list.items.find((a) => a.topic === topic);
  const { code } = await (await fetch(`${BASE}/api/v1/admin/activities/${activity.id}/checkin-code`, { headers: { authorization: `Bearer ${admin.accessToken}` } })).json();
  const villager = await apiSession('demo-villager', 'miniapp');
  const checkin = await fetch(`${BASE}/api/v1/me/activities/checkin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${villager.accessToken}` },
    body: JSON.stringify({ code }),
  });
  expect(checkin.ok, `checked in (${checkin.status})`);
  await row.getByRole('button', { name: '查看' }).click();
  await page.getByText('已签到（1 户）').waitFor();
  await row.getByRole('button', { name: '结束签到' }).click();
  await row.getByRole('button', { name: '开启签到' }).waitFor();
  await ctx.close();
});

story('the admin books an allocation in 资金台账 and the report shows it', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page);
  await page.goto(`${BASE}/console/funds`);
  await page.locator('[data-test="fund-report"]').waitFor();
  const before = await page.locator('[data-test="fund-report"]').innerText();
  await page.getByRole('button', { name: '记一笔' }).click();
  const dialog = page.getByRole('dialog', { name: '记一笔' });
  const amount = dialog.locator('.el-input-number input');
  await amount.fill('1000');
  await amount.blur();
  const reason = `e2e 区级拨款 ${Date.now()}`;
  await dialog.getByLabel('事由').fill(reason);
  await dialog.getByRole('button', { name: '入账' }).click();
  await page.locator('.el-message', { hasText: '已入账' }).waitFor();
  await page.locator('[data-test="fund-table"] .el-table__row', { hasText: reason }).getByText('+1,000.00').waitFor();
  const after = await page.locator('[data-test="fund-report"]').innerText();
  expect(after !== before, 'the report changed');
  await shot(page, 'console-funds');
  await ctx.close();
});

story('console 数据看板: the district sees charts per village and fairness signals, exports Excel; ECharts only there; admins get none', async () => {
  const ctx = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-district');
  await page.goto(`${BASE}/console/review`);
  await page.locator('.el-main h2').first().waitFor();
  await page.waitForLoadState('networkidle');
  const chartChunks = () =>
    page.evaluate(() => performance.getEntriesByType('resource').filter((r) => /\/charts-[^/]*\.js/.test(r.name)).length);
  expect((await chartChunks()) === 0, 'ECharts is not loaded outside the dashboard');
  await page.getByRole('menuitem', { name: '数据看板' }).click();
  await page.waitForURL(/\/console\/dashboard/);
  await page.locator('[data-test="section-participation"] .el-table__row', { hasText: '和平村' }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-test="chart"] canvas').length >= 4, null, { timeout: 20_000 });
  expect((await chartChunks()) >= 1, 'ECharts loaded on the dashboard');
  const rows = await page.locator('[data-test="section-participation"] .el-table__row').count();
  expect(rows === 4, `four pilot villages in the district table, got ${rows}`);
  await page.waitForLoadState('networkidle');
  await shot(page, 'console-dashboard-statistics');
  const problems = (await axeProblems(page)).map((p) => `statistics axe: ${p}`);

  const [all] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出全部（Excel）' }).click()]);
  expect(all.suggestedFilename().endsWith('.xlsx'), `an xlsx download: ${all.suggestedFilename()}`);
  const bytes = await import('node:fs').then((fs) => all.path().then((p) => fs.readFileSync(p)));
  expect(bytes.length > 1000 && bytes.subarray(0, 2).toString() === 'PK', 'the workbook is a zip');
  const [one] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-test="section-review_latency"]').getByRole('button', { name: '导出 Excel' }).click(),
  ]);
  expect(one.suggestedFilename().includes('审核时效'), `one table's workbook: ${one.suggestedFilename()}`);

  await page.locator('.el-radio-button', { hasText: '公平性提示' }).click();
  await page.locator('[data-test="section-reviewers"]').waitFor();
  await page.locator('[data-test="section-gini"] .el-table__row', { hasText: '和平村' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-test="chart"] canvas').length === 2, null, { timeout: 20_000 });
  expect((await page.getByText('以下是提示而不是结论').count()) === 1, 'fairness is explained as hints');
  await page.waitForLoadState('networkidle');
  await shot(page, 'console-dashboard-fairness');
  problems.push(...(await axeProblems(page)).map((p) => `fairness axe: ${p}`));

  const large = await browser.newContext(DESKTOP);
  await large.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const big = await large.newPage();
  await consoleLogin(big, 'demo-town');
  await big.goto(`${BASE}/console/dashboard`);
  await big.locator('[data-test="section-participation"] .el-table__row', { hasText: '和平村' }).waitFor({ timeout: 20_000 });
  const townRows = await big.locator('[data-test="section-participation"] .el-table__row').count();
  expect(townRows === 1, `the town sees its one pilot village, got ${townRows}`);
  await big.waitForFunction(() => document.querySelectorAll('[data-test="chart"] canvas').length >= 4, null, { timeout: 20_000 });
  await big.waitForLoadState('networkidle');
  await shot(big, 'console-dashboard-town-large');
  problems.push(...(await axeProblems(big)).map((p) => `town large axe: ${p}`));

  const admin = await browser.newContext(DESKTOP);
  const adminPage = await admin.newPage();
  await consoleLogin(adminPage);
  expect((await adminPage.getByRole('menuitem', { name: '数据看板' }).count()) === 0, 'no dashboard in the admin menu');
  await adminPage.goto(`${BASE}/console/dashboard`);
  await adminPage.locator('[data-test="dashboard-forbidden"]').waitFor();
  expect(problems.length === 0, `\n    ${problems.join('\n    ')}`);
  await ctx.close();
});

story('a villager without a staff role sees no console buttons', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/console/?demoUser=demo-villager`);
  await page.getByText('您的账号没有管理权限').waitFor({ timeout: 15_000 });
  expect((await page.getByRole('button', { name: '通过' }).count()) === 0, 'no approve button');
  await ctx.close();
});

story('the committee reads the queue but has no approve button', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-committee');
  await page.goto(`${BASE}/console/review`);
  await page.getByText('只读').waitFor();
  expect((await page.getByRole('button', { name: '通过' }).count()) === 0, 'no approve button');
  await ctx.close();
});

story('console 扫码登录: DingTalk web login (simulator page) brings the officer back logged in', async () => {
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/console/login`);
  await page.locator('[data-test="web-login"]').first().click();
  // DingTalk's login page (the simulator's), then back on the console with the code.
  await page.getByRole('button', { name: /demo-town/ }).click({ timeout: 15_000 });
  await page.waitForURL((url) => url.pathname.startsWith('/console/') && !url.pathname.startsWith('/console/login'), { timeout: 20_000 });
  expect(!page.url().includes('authCode'), `the code left the address: ${page.url()}`);
  await page.locator('.el-menu').first().waitFor();
  // A forged return (state not started here) is refused with a clear message.
  await page.goto(`${BASE}/console/login?authCode=forged&state=nope`);
  await page.getByText('登录请求已失效').waitFor();
  await shot(page, 'console-web-login-refused');
  await ctx.close();
});

story('a town officer picks among the villages of the town only, and sees the 立即公示 card', async () => {
  const session = await apiSession('demo-town');
  const town = session.roles.find((r) => r.role === 'town_officer').scopeId;
  const { villages } = await (await fetch(`${BASE}/api/v1/villages`)).json();
  const mine = villages.filter((v) => v.townId === town).map((v) => v.name).sort();
  expect(mine.length > 0 && mine.length < villages.length, `the town has some of the villages: ${mine}`);
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-town', '/console/publication');
  await page.getByRole('combobox', { name: '村社' }).or(page.locator('.village .el-select')).first().click();
  // The dropdown opens with a transition and its items come from the page's village request:
  // read them once they are shown, not in the frame the click returned.
  await page.locator('.el-select-dropdown__item:visible').first().waitFor();
  const options = (await page.locator('.el-select-dropdown__item:visible').allInnerTexts()).map((x) => x.trim()).sort();
  expect(JSON.stringify(options) === JSON.stringify(mine), `options ${options} vs ${mine}`);
  await page.keyboard.press('Escape');
  await page.locator('[data-test="publish-card"]').waitFor();
  await shot(page, 'console-publication-town');
  await ctx.close();
});

story('the villager reports another household picked from the board (R17), the committee sees it', async () => {
  const stamp = String(Date.now()).slice(-5);
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/objections');
  const about = page.locator('[data-test="objection-about"]');
  await about.locator('option').nth(1).waitFor({ state: 'attached' });
  const value = await about.locator('option').nth(1).getAttribute('value');
  await about.selectOption(value);
  expect((await page.getByLabel('有异议的积分记录').count()) === 0, 'no own-entry picker for a report about another household');
  await page.getByLabel('异议内容').fill(`e2e 反映 ${stamp}：该户门前垃圾长期未清理`);
  await page.getByRole('button', { name: '提交异议' }).click();
  await page.locator('[data-test="objection-notice"]', { hasText: '异议已提交' }).waitFor();
  await page.locator('[data-test="objection"]', { hasText: `e2e 反映 ${stamp}` }).locator('[data-test="objection-report"]').waitFor();
  await shot(page, 'villager-objection-report');
  const desk = await browser.newContext(DESKTOP);
  const committee = await desk.newPage();
  await consoleLogin(committee, 'demo-committee', '/console/objections');
  await committee.locator('[data-test="objection-row"]', { hasText: `e2e 反映 ${stamp}` }).waitFor();
  await ctx.close();
  await desk.close();
});

story('积分明细 names every kind of line in Chinese (no raw codes such as refund or redeem)', async () => {
  const ctx = await phone();
  const page = await ctx.newPage();
  await villagerLogin(page, 'demo-villager', '/ledger');
  await page.locator('[data-test="ledger-line"]').first().waitFor();
  const text = await page.locator('.card-list').innerText();
  const raw = text.match(/\b(award|penalty|correction|redeem|refund|year_close|mini_app|console|card|job)\b/);
  expect(!raw, `raw code on the page: ${raw?.[0]}`);
  await ctx.close();
});

story('console 季度公示: the admin points the notices at the village DingTalk group; the committee only reads it', async () => {
  const config = await (await fetch(`${BASE}/api/v1/client-config`)).json();
  const groups = await (await fetch(`${config.simUrl}/sim/groups`)).json();
  const heping = groups.find((g) => g.title.startsWith('和平村'));
  expect(heping, 'the simulator has a group for 和平村');
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-admin', '/console/publication');
  const card = page.locator('[data-test="notice-group"]');
  await card.waitFor();
  await card.getByLabel('群 openConversationId').fill(heping.openConversationId);
  await card.locator('[data-test="notice-group-save"]').click();
  await card.locator('[data-test="notice-group-current"]', { hasText: heping.openConversationId }).waitFor();
  await shot(page, 'console-publication-notice-group');
  const desk = await browser.newContext(DESKTOP);
  const committee = await desk.newPage();
  await consoleLogin(committee, 'demo-committee', '/console/publication');
  await committee.locator('[data-test="notice-group-current"]', { hasText: heping.openConversationId }).waitFor();
  expect((await committee.locator('[data-test="notice-group-save"]').count()) === 0, 'the committee cannot change the group');
  await ctx.close();
  await desk.close();
});

// ---------------------------------------------------------------- governance (issue 12): 目录调整, 批量导入, 入户检查
/** A stored (uncompressed) zip of `files` ({name: string|Buffer}): enough for a minimal xlsx. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A minimal one-sheet xlsx of `rows` (arrays of strings/numbers), strings inline. */
function xlsx(rows) {
  const col = (i) => String.fromCharCode(65 + i);
  const sheetRows = rows
    .map((cells, r) => `<row r="${r + 1}">${cells
      .map((v, c) => (typeof v === 'number'
        ? `<c r="${col(c)}${r + 1}"><v>${v}</v></c>`
        : `<c r="${col(c)}${r + 1}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`))
      .join('')}</row>`)
    .join('');
  return zip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="农户导入" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
  });
}

const IMPORT_COLUMNS = ['户编号', '组编号', '地址', '姓名', '与户主关系', '性别', '出生年份', '类别', '长期在外', '党员', '手机号'];
const authJson = (s) => ({ 'content-type': 'application/json', authorization: `Bearer ${s.accessToken}` });
async function apiGet(s, path) {
  const r = await fetch(`${BASE}${path}`, { headers: authJson(s) });
  expect(r.ok, `GET ${path}: ${r.status}`);
  return r.json();
}
/** No raw English code or technical word in a console text meant for a village admin. */
function rawCodes(text) {
  return text.match(/\b(draft|submitted|approved|rejected|withdrawn|revalue|retire|import\.\w+|inspection\.\w+|catalogue_change\.\w+|null|undefined|NaN)\b/g) ?? [];
}
async function selectVillage(page, name) {
  const select = page.getByRole('combobox', { name: '村社' }).or(page.locator('.village .el-select')).first();
  await select.click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click();
}

story('console 目录调整: the village drafts a re-value, sees the replay, submits; the district approves and refuses', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const { villages } = await (await fetch(`${BASE}/api/v1/villages`)).json();
  const villageName = villages.find((v) => v.id === villageId).name;
  const catalogue = await (await fetch(`${BASE}/api/v1/villages/${villageId}/catalogue`)).json();
  const item = catalogue.categories.flatMap((c) => c.positive).find((i) => !i.points.range && i.points.max > 0 && i.points.max < 20);
  expect(item, 'a fixed positive item to re-value');
  const stamp = String(Date.now()).slice(-5);
  const reason = `e2e 调整 ${stamp}：群众反映该项分值偏低`;
  const problems = [];

  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-admin', '/console/catalogue-changes');
  await page.getByRole('heading', { name: '目录调整' }).waitFor();
  await page.getByRole('button', { name: '新建调整申请' }).click();
  const form = page.getByRole('dialog', { name: '新建调整申请' });
  await form.locator('.el-select', { has: page.getByRole('combobox', { name: '项目' }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: `${item.code}（现 ${item.points.max} 分）${item.title}` }).first().click();
  await form.getByRole('spinbutton', { name: '分值' }).fill(String(item.points.max + 1));
  await form.getByLabel('调整理由').fill(reason);
  await shot(page, 'console-catalogue-change-draft');
  await form.getByRole('button', { name: '保存草稿' }).click();
  await page.locator('.el-message', { hasText: '草稿已保存' }).waitFor();
  const row = page.locator('.el-table__row', { hasText: reason });
  await row.getByText('草稿').waitFor();
  await row.getByRole('button', { name: '模拟测算' }).click();
  const replay = page.getByRole('dialog', { name: /模拟测算/ });
  await replay.locator('.el-descriptions').waitFor({ timeout: 20_000 });
  const replayText = await replay.innerText();
  expect(/^\d{4} 年第[一二三四]季度：/m.test(replayText), `the quarter in Chinese: ${replayText.slice(0, 80)}`);
  expect(/发放积分\s*-?\d+ → -?\d+/.test(replayText), `actual → proposed points issued: ${replayText.slice(0, 300)}`);
  expect(replayText.includes('村平均分') && replayText.includes('积分负债'), 'the replay figures');
  problems.push(...rawCodes(replayText).map((c) => `replay raw: ${c}`));
  await shot(page, 'console-catalogue-change-replay');
  problems.push(...(await axeProblems(page)).map((p) => `replay axe: ${p}`));
  await replay.getByRole('button', { name: /关闭|Close/ }).first().click();
  await row.getByRole('button', { name: '提交审批' }).click();
  await page.locator('.el-message', { hasText: '已提交区人居办审批' }).waitFor();
  await row.getByText('待区级审批').waitFor();
  expect((await row.getByRole('button', { name: '批准' }).count()) === 0, 'the village admin has no 批准 button');
  problems.push(...(await axeProblems(page)).map((p) => `admin axe: ${p}`));

  // A second request, submitted over the API, for the refusal.
  const refusedReason = `e2e 退回 ${stamp}`;
  const second = await (await fetch(`${BASE}/api/v1/admin/villages/${villageId}/catalogue-changes`, {
    method: 'POST',
    headers: authJson(admin),
    body: JSON.stringify({ reason: `e2e 第二项 ${stamp}`, changes: [{ op: 'revalue', code: item.code, points: item.points.max + 2 }] }),
  })).json();
  expect(second.id, `second draft: ${JSON.stringify(second)}`);
  const submitted = await fetch(`${BASE}/api/v1/admin/villages/${villageId}/catalogue-changes/${second.id}/submit`, { method: 'POST', headers: authJson(admin) });
  expect(submitted.ok, `submit ${submitted.status}`);

  // The committee may draft (R7) but never decide.
  const committeeCtx = await browser.newContext(DESKTOP);
  const committee = await committeeCtx.newPage();
  await consoleLogin(committee, 'demo-committee', '/console/catalogue-changes');
  await committee.locator('.el-table__row', { hasText: reason }).waitFor();
  expect((await committee.getByRole('button', { name: '批准' }).count()) === 0, 'the committee has no 批准 button');
  expect((await committee.getByRole('button', { name: '退回' }).count()) === 0, 'the committee has no 退回 button');
  await committeeCtx.close();

  // The district officer decides in the console, in both modes.
  for (const large of [false, true]) {
    const dctx = await browser.newContext(DESKTOP);
    if (large) await dctx.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
    const district = await dctx.newPage();
    await consoleLogin(district, 'demo-district', '/console/catalogue-changes');
    await selectVillage(district, villageName);
    const drow = district.locator('.el-table__row', { hasText: reason });
    await drow.waitFor();
    if (!large) {
      await drow.getByRole('button', { name: '批准' }).click();
      const dialog = district.getByRole('dialog', { name: '批准调整' });
      await dialog.getByLabel('审批意见').fill('同意');
      await dialog.getByRole('button', { name: '确定' }).click();
      await district.locator('.el-message', { hasText: '已批准' }).waitFor();
      await drow.getByText('已批准').waitFor();
      await drow.getByText(/起（第 \d+ 版）/).waitFor();
      const refused = district.locator('.el-table__row', { hasText: `e2e 第二项 ${stamp}` });
      await refused.getByRole('button', { name: '退回' }).click();
      const rdialog = district.getByRole('dialog', { name: '退回调整' });
      await rdialog.getByRole('button', { name: '确定' }).click();
      // A refusal needs a reason: the server's Chinese message.
      const err = rdialog.locator('.el-alert');
      await err.waitFor();
      expect(/[\u4e00-\u9fa5]/.test(await err.innerText()), `a Chinese message: ${await err.innerText()}`);
      await rdialog.getByLabel('审批意见').fill(refusedReason);
      await rdialog.getByRole('button', { name: '确定' }).click();
      await refused.getByText(`退回：${refusedReason}`).waitFor();
    }
    const text = await district.locator('section').first().innerText();
    problems.push(...rawCodes(text).map((c) => `page raw (${large ? 'large' : 'standard'}): ${c}`));
    await shot(district, `console-catalogue-changes-district-${large ? 'large' : 'standard'}`);
    problems.push(...(await axeProblems(district)).map((p) => `district ${large ? 'large' : 'standard'} axe: ${p}`));
    await dctx.close();
  }
  // The village sees the outcome.
  await page.reload();
  await page.locator('.el-table__row', { hasText: reason }).getByText('已批准').waitFor();
  await page.locator('.el-table__row', { hasText: `e2e 第二项 ${stamp}` }).getByText(`退回：${refusedReason}`).waitFor();
  await shot(page, 'console-catalogue-changes-admin');
  await ctx.close();
  expect(problems.length === 0, problems.join('\n'));
});

story('console 批量导入: the template downloads, a sheet with a bad row is refused with Chinese reasons, a good one is accepted', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const { groups } = await apiGet(admin, `/api/v1/admin/villages/${villageId}/groups`);
  expect(groups.length > 0, 'the village has groups');
  const group = groups[0].code;
  const stamp = String(Date.now()).slice(-6);
  const problems = [];
  const ctx = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-admin', '/console/import');
  await page.getByRole('heading', { name: '批量导入' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载导入模板' }).click()]);
  expect(download.suggestedFilename().endsWith('.xlsx'), `an xlsx template: ${download.suggestedFilename()}`);
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(await download.path());
  expect(bytes.subarray(0, 2).toString() === 'PK', 'the template is a zip');

  const good = (n, name, mobile) => [`E2E-${stamp}-${n}`, group, `e2e 导入 ${n} 号`, name, '户主', '男', 1968, '村民', '否', '否', mobile];
  const bad = [
    IMPORT_COLUMNS,
    good(1, '导入甲', ''),
    [`E2E-${stamp}-2`, 'no-such-group', `e2e 导入 2 号`, '导入乙', '户主', '不详', 1975, '村民', '否', '否', '123'],
  ];
  await page.locator('input[type=file]').setInputFiles({ name: '农户导入.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx(bad) });
  await page.getByRole('button', { name: '上传并导入' }).click();
  const refused = page.getByRole('table').or(page.locator('.el-table')).filter({ hasText: '原因' }).first();
  await page.locator('.el-table__row').first().waitFor({ timeout: 15_000 });
  const rows = await page.locator('.el-table__row').allInnerTexts();
  expect(rows.length === 1 && rows[0].includes('3') && rows[0].includes(`E2E-${stamp}-2`), `one refused row, row 3: ${rows}`);
  expect(/[\u4e00-\u9fa5]/.test(rows[0]) && rawCodes(rows[0]).length === 0, `Chinese reasons: ${rows[0]}`);
  await refused.waitFor();
  await shot(page, 'console-import-refused');
  problems.push(...(await axeProblems(page)).map((p) => `refused axe: ${p}`));
  // Nothing was written: the good row of the refused sheet is not there.
  const { households } = await apiGet(admin, `/api/v1/admin/villages/${villageId}/households?perPage=100&q=E2E-${stamp}`);
  expect(!households.some((h) => h.code.startsWith(`E2E-${stamp}`)), 'all or nothing');

  const fine = [IMPORT_COLUMNS, good(1, '导入甲', ''), [...good(1, '导入丙', '').slice(0, 4), '配偶', '女', 1970, '村民', '否', '是', ''], good(2, '导入乙', `139${stamp}00`.slice(0, 11))];
  await page.locator('input[type=file]').setInputFiles({ name: '农户导入-改.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx(fine) });
  await page.getByRole('button', { name: '上传并导入' }).click();
  await page.locator('.el-alert', { hasText: '已导入 2 户、3 名成员' }).waitFor({ timeout: 15_000 });
  expect((await page.locator('.el-table__row').count()) === 0, 'the refused rows are gone');
  await shot(page, 'console-import-accepted');
  problems.push(...(await axeProblems(page)).map((p) => `accepted axe: ${p}`));
  await ctx.close();

  const large = await browser.newContext(DESKTOP);
  await large.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const big = await large.newPage();
  await consoleLogin(big, 'demo-admin', '/console/import');
  await big.getByRole('heading', { name: '批量导入' }).waitFor();
  await shot(big, 'console-import-large');
  problems.push(...(await axeProblems(big)).map((p) => `large axe: ${p}`));
  await large.close();
  expect(problems.length === 0, problems.join('\n'));
});

story('console 入户检查: two items for one household, a photo uploaded from the page, a second save of the same quarter refused', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const { groups } = await apiGet(admin, `/api/v1/admin/villages/${villageId}/groups`);
  // The last group: the import story adds households to the first one.
  const group = groups[groups.length - 1];
  const problems = [];
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-admin', '/console/inspection');
  await page.getByRole('heading', { name: '入户检查' }).waitFor();
  await page.locator('.el-select', { has: page.getByRole('combobox', { name: '小组' }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: group.code }).first().click();
  const rows = page.locator('.el-table__row');
  await rows.first().waitFor();
  const count = await rows.count();
  expect(count > 0, 'the group has households');
  // DE-01 孝老爱亲 (inspection group, no photo) for the first household, nothing for the others.
  await rows.first().locator('.el-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'DE-01' }).first().click();
  // The item's suggested points are filled in.
  expect((await rows.first().getByRole('spinbutton', { name: '分值' }).inputValue()) === '5', 'DE-01 fills 5 points');
  // A second item for the same household: ML-02 (门前三包, one photo), the photo uploaded here.
  await rows.first().getByRole('button', { name: '再加一项' }).click();
  const second = rows.first().locator('[data-test="score"]').nth(1);
  await second.locator('.el-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'ML-02' }).first().click();
  await second.getByText('需 1 张照片').waitFor();
  // Saved without its photo: the server's Chinese message, nothing booked.
  await page.getByRole('button', { name: '保存检查结果' }).click();
  const photoError = page.locator('.el-alert');
  await photoError.waitFor({ timeout: 15_000 });
  expect(/[\u4e00-\u9fa5]/.test(await photoError.innerText()) && rawCodes(await photoError.innerText()).length === 0, `a Chinese message: ${await photoError.innerText()}`);
  await second.locator('input[type=file]').setInputFiles(photo(40));
  await second.locator('img').waitFor({ timeout: 15_000 });
  await page.locator('[data-test="inspection-count"]', { hasText: '已填 2 项' }).waitFor();
  await shot(page, 'console-inspection-filled');
  problems.push(...(await axeProblems(page)).map((p) => `filled axe: ${p}`));
  await page.getByRole('button', { name: '保存检查结果' }).click();
  await page.locator('.el-message', { hasText: `已记录 ${count} 户、2 条积分` }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: '保存检查结果' }).click();
  const error = page.locator('.el-alert', { hasText: '该小组本季度已完成入户检查' });
  await error.waitFor({ timeout: 15_000 });
  await shot(page, 'console-inspection-again');
  problems.push(...(await axeProblems(page)).map((p) => `again axe: ${p}`));
  await ctx.close();

  const large = await browser.newContext(DESKTOP);
  await large.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const big = await large.newPage();
  await consoleLogin(big, 'demo-admin', '/console/inspection');
  await big.locator('.el-select', { has: big.getByRole('combobox', { name: '小组' }) }).click();
  await big.locator('.el-select-dropdown__item:visible', { hasText: group.code }).first().click();
  await big.locator('.el-table__row').first().waitFor();
  await shot(big, 'console-inspection-large');
  problems.push(...(await axeProblems(big)).map((p) => `large axe: ${p}`));
  await large.close();
  expect(problems.length === 0, problems.join('\n'));
});

story('console 区模板调整: the district drafts a template change (no reason: the server message), submits and refuses it, replays it in a village it picks; a village request replayed', async () => {
  const admin = await apiSession('demo-admin');
  const villageId = admin.roles.find((r) => r.role === 'village_admin').scopeId;
  const catalogue = await (await fetch(`${BASE}/api/v1/villages/${villageId}/catalogue`)).json();
  // The last fixed positive item: the 目录调整 story re-values the first one (and gets it approved).
  const item = catalogue.categories.flatMap((c) => c.positive).filter((i) => !i.points.range && i.points.max > 0 && i.points.max < 20).pop();
  expect(item, 'a fixed positive item to re-value');
  const stamp = String(Date.now()).slice(-5);
  // A village draft for the district's 模拟测算 (drafts change nothing).
  const villageReason = `e2e 区看村 ${stamp}`;
  const drafted = await fetch(`${BASE}/api/v1/admin/villages/${villageId}/catalogue-changes`, {
    method: 'POST',
    headers: authJson(admin),
    body: JSON.stringify({ reason: villageReason, changes: [{ op: 'revalue', code: item.code, points: item.points.max + 1 }] }),
  });
  expect(drafted.ok, `village draft ${drafted.status}: ${await drafted.text()}`);
  const problems = [];
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-district', '/console/review');
  await page.getByRole('menuitem', { name: '区模板调整' }).click();
  await page.getByRole('heading', { name: '区模板调整' }).waitFor();
  await selectVillage(page, '和平村');
  await page.getByRole('button', { name: '新建模板调整' }).click();
  const form = page.getByRole('dialog', { name: '新建模板调整' });
  await form.locator('.el-select', { has: page.getByRole('combobox', { name: '项目' }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: `${item.code}（现 ${item.points.max} 分）` }).first().click();
  await form.getByRole('spinbutton', { name: '分值' }).fill(String(item.points.max + 1));
  await form.getByRole('button', { name: '保存草稿' }).click();
  const err = form.locator('.el-alert');
  await err.waitFor();
  expect((await err.innerText()).includes('请填写调整理由'), `the server's message: ${await err.innerText()}`);
  const reason = `e2e 模板 ${stamp}：全区统一提高该项分值`;
  await form.getByLabel('调整理由').fill(reason);
  await shot(page, 'console-district-catalogue-draft');
  problems.push(...(await axeProblems(page)).map((p) => `draft axe: ${p}`));
  await form.getByRole('button', { name: '保存草稿' }).click();
  await page.locator('.el-message', { hasText: '草稿已保存' }).waitFor();
  const row = page.locator('[data-test="template-changes"] .el-table__row', { hasText: reason });
  await row.getByText('草稿').waitFor();
  await row.getByRole('button', { name: '提交审批' }).click();
  await row.getByText('待区级审批').waitFor();
  await row.getByRole('button', { name: '退回' }).click();
  const refuse = page.getByRole('dialog', { name: '退回调整' });
  await refuse.getByLabel('审批意见').fill(`e2e 暂缓 ${stamp}`);
  await refuse.getByRole('button', { name: '确定' }).click();
  await row.getByText(`退回：e2e 暂缓 ${stamp}`).waitFor();
  await row.getByText('已退回').waitFor();
  // The template change's 模拟测算, village by village: 和平村 (selected) first — refused when the
  // 目录调整 story got it a catalogue of its own, as the API says — then 慈航社区 (follows the template).
  const { villages: allVillages } = await (await fetch(`${BASE}/api/v1/villages`)).json();
  const heping = allVillages.find((v) => v.id === villageId);
  const cihang = allVillages.find((v) => v.name === '慈航社区' && v.districtId === heping.districtId);
  expect(cihang, '慈航社区 in the district');
  const district = await apiSession('demo-district');
  const templateId = (
    await (await fetch(`${BASE}/api/v1/admin/districts/${heping.districtId}/catalogue-changes`, { headers: authJson(district) })).json()
  ).changes.find((c) => c.reason === reason).id;
  const hepingReplay = await fetch(
    `${BASE}/api/v1/admin/districts/${heping.districtId}/catalogue-changes/${templateId}/replay?villageId=${villageId}`,
    { headers: authJson(district) },
  );
  await row.getByRole('button', { name: '模拟测算' }).click();
  const treplay = page.getByRole('dialog', { name: /模拟测算/ }).filter({ has: page.getByRole('combobox', { name: '测算村社' }) });
  if (hepingReplay.ok) {
    await treplay.locator(`.el-descriptions[data-village="${villageId}"]`).waitFor({ timeout: 20_000 });
  } else {
    expect(hepingReplay.status === 409, `heping template replay ${hepingReplay.status}`);
    await treplay.locator('.el-alert', { hasText: '本村自己的' }).waitFor({ timeout: 20_000 });
  }
  await treplay.locator('.el-select', { has: page.getByRole('combobox', { name: '测算村社' }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '慈航社区' }).first().click();
  await treplay.locator(`.el-descriptions[data-village="${cihang.id}"]`).waitFor({ timeout: 20_000 });
  expect((await treplay.innerText()).includes('村平均分'), 'the template replay figures');
  expect((await treplay.locator('.el-alert').count()) === 0, 'no refusal for a village following the template');
  await shot(page, 'console-district-template-replay');
  problems.push(...(await axeProblems(page)).map((p) => `template replay axe: ${p}`));
  problems.push(...rawCodes(await treplay.innerText()).map((c) => `template replay raw: ${c}`));
  await treplay.getByRole('button', { name: /关闭|Close/ }).first().click();
  await treplay.waitFor({ state: 'hidden' });
  // The villages' requests of the district, with their replay.
  const vrow = page.locator('[data-test="village-changes"] .el-table__row', { hasText: villageReason });
  await vrow.getByText('和平村').waitFor();
  await vrow.getByRole('button', { name: '模拟测算' }).click();
  const replay = page.getByRole('dialog', { name: /模拟测算/ });
  await replay.locator('.el-descriptions').waitFor({ timeout: 20_000 });
  expect((await replay.innerText()).includes('村平均分'), 'the replay figures');
  await shot(page, 'console-district-catalogue-replay');
  problems.push(...(await axeProblems(page)).map((p) => `replay axe: ${p}`));
  await replay.getByRole('button', { name: /关闭|Close/ }).first().click();
  const text = await page.locator('section').first().innerText();
  problems.push(...rawCodes(text).map((c) => `page raw: ${c}`));
  await shot(page, 'console-district-catalogue');
  problems.push(...(await axeProblems(page)).map((p) => `page axe: ${p}`));
  await ctx.close();

  const large = await browser.newContext(DESKTOP);
  await large.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const big = await large.newPage();
  await consoleLogin(big, 'demo-district', '/console/district-catalogue');
  await big.locator('[data-test="template-changes"] .el-table__row', { hasText: reason }).waitFor();
  await shot(big, 'console-district-catalogue-large');
  problems.push(...(await axeProblems(big)).map((p) => `large axe: ${p}`));
  await large.close();
  expect(problems.length === 0, problems.join('\n'));
});

story('console 工作日历: the district sees national holidays, sets a local holiday (a too-long note refused in Chinese) and clears it; sets the district DingTalk group', async () => {
  const problems = [];
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-district', '/console/review');
  await page.getByRole('menuitem', { name: '工作日历' }).click();
  await page.getByRole('heading', { name: '工作日历' }).waitFor();
  const explain = await page.locator('[data-test="calendar-explain"]').innerText();
  expect(explain.includes('季度公示日') && explain.includes('异议答复期限') && explain.includes('操作日志'), `the explanation: ${explain}`);
  await page.locator('[data-test="month-grid"]').waitFor();
  // To January 2027: 元旦 is a national holiday.
  for (let i = 0; i < 30 && !(await page.getByRole('heading', { name: '2027 年 1 月' }).count()); i++) {
    await page.getByRole('button', { name: '下个月 ›' }).click();
  }
  const day = (d) => page.locator(`[data-date="${d}"]`);
  expect((await day('2027-01-01').innerText()).includes('法定假日'), `1 Jan: ${await day('2027-01-01').innerText()}`);
  expect((await day('2027-01-20').innerText()).includes('工作日'), '20 Jan is a working day');
  await day('2027-01-20').click();
  const dialog = page.getByRole('dialog', { name: '设置 2027-01-20' });
  await dialog.getByText('全国安排：工作日').waitFor();
  await dialog.getByText('本区放假').click();
  await dialog.getByLabel('说明').fill('长'.repeat(201));
  await dialog.getByRole('button', { name: '保存' }).click();
  const err = dialog.locator('.el-alert');
  await err.waitFor();
  expect(/[\u4e00-\u9fa5]/.test(await err.innerText()) && rawCodes(await err.innerText()).length === 0, `a Chinese message: ${await err.innerText()}`);
  await dialog.getByLabel('说明').fill('e2e 区级活动放假一天');
  await dialog.getByRole('button', { name: '保存' }).click();
  await page.locator('.el-message', { hasText: '已设置' }).waitFor();
  await day('2027-01-20').getByText('本区放假').waitFor();
  await page.locator('[data-test="own-days"] .el-table__row', { hasText: '2027-01-20' }).waitFor();
  await shot(page, 'console-calendar-local-holiday');
  problems.push(...(await axeProblems(page)).map((p) => `holiday axe: ${p}`));
  // Back to the national calendar.
  await day('2027-01-20').click();
  await page.getByRole('dialog', { name: '设置 2027-01-20' }).getByText('按全国安排').click();
  await page.getByRole('dialog', { name: '设置 2027-01-20' }).getByRole('button', { name: '保存' }).click();
  await page.locator('.el-message', { hasText: '已恢复按全国安排' }).waitFor();
  await day('2027-01-20').getByText('工作日').waitFor();
  expect((await page.locator('[data-test="own-days"] .el-table__row', { hasText: '2027-01-20' }).count()) === 0, 'the day is cleared');
  // The district's DingTalk group for the district summary (F5): the village's form, set here.
  const config = await (await fetch(`${BASE}/api/v1/client-config`)).json();
  const cid = 'cid-e2e-dazu-office';
  const made = await fetch(`${config.simUrl}/sim/groups/${cid}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: '大足区积分工作群', memberUserIds: ['demo-district'] }),
  });
  expect(made.ok, `sim group ${made.status}`);
  const card = page.locator('[data-test="notice-group"]');
  await card.getByText('区钉钉群通知').waitFor();
  await card.getByLabel('群 openConversationId').fill(cid);
  await card.locator('[data-test="notice-group-save"]').click();
  await page.locator('.el-message', { hasText: '全区汇总通知' }).waitFor();
  await card.locator('[data-test="notice-group-current"]', { hasText: cid }).waitFor();
  await shot(page, 'console-calendar-notice-group');
  problems.push(...(await axeProblems(page)).map((p) => `notice group axe: ${p}`));
  const district = await apiSession('demo-district');
  const districtId = district.roles.find((r) => r.role === 'district_officer').scopeId;
  const stored = await (await fetch(`${BASE}/api/v1/admin/districts/${districtId}/notice-group`, { headers: authJson(district) })).json();
  expect(stored.group?.openConversationId === cid, `the district group stored: ${JSON.stringify(stored)}`);
  await ctx.close();

  const large = await browser.newContext(DESKTOP);
  await large.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const big = await large.newPage();
  await consoleLogin(big, 'demo-district', '/console/calendar');
  await big.locator('[data-test="month-grid"]').waitFor();
  await shot(big, 'console-calendar-large');
  problems.push(...(await axeProblems(big)).map((p) => `large axe: ${p}`));
  await large.close();
  expect(problems.length === 0, problems.join('\n'));
});

story('console 组织架构: the district sees the tree with counts, a taken code refused in Chinese, a group added; the town reads only', async () => {
  const problems = [];
  const stamp = String(Date.now()).slice(-6);
  const ctx = await browser.newContext(DESKTOP);
  const page = await ctx.newPage();
  await consoleLogin(page, 'demo-district', '/console/review');
  await page.getByRole('menuitem', { name: '组织架构' }).click();
  await page.getByRole('heading', { name: '组织架构' }).waitFor();
  const district = page.locator('[data-test="org-table"] .el-table__row', { hasText: '大足区' });
  await district.waitFor();
  expect(/\d+ 个镇街、\d+ 个村社、\d+ 个村民小组/.test(await district.innerText()), `counts: ${await district.innerText()}`);
  const village = page.locator('[data-test="org-table"] .el-table__row', { hasText: '长虹村' });
  expect((await village.innerText()).includes('4 个村民小组'), `长虹村 has four groups: ${await village.innerText()}`);
  await village.getByRole('button', { name: '添加村民小组' }).click();
  const dialog = page.getByRole('dialog', { name: '添加村民小组' });
  await dialog.getByLabel('编码').fill('changhong-01');
  await dialog.getByLabel('名称').fill('重复的组');
  await dialog.getByRole('button', { name: '添加' }).click();
  const err = dialog.locator('.el-alert');
  await err.waitFor();
  expect(/[\u4e00-\u9fa5]/.test(await err.innerText()) && rawCodes(await err.innerText()).length === 0, `a Chinese message: ${await err.innerText()}`);
  await shot(page, 'console-org-refused');
  problems.push(...(await axeProblems(page)).map((p) => `refused axe: ${p}`));
  await dialog.getByLabel('编码').fill(`changhong-e2e${stamp}`);
  await dialog.getByLabel('名称').fill(`e2e 新组 ${stamp}`);
  await dialog.getByRole('button', { name: '添加' }).click();
  await page.locator('.el-message', { hasText: `已添加村民小组“e2e 新组 ${stamp}”` }).waitFor();
  await page.locator('[data-test="org-table"] .el-table__row', { hasText: `e2e 新组 ${stamp}` }).waitFor();
  await page.locator('[data-test="org-table"] .el-table__row', { hasText: '长虹村' }).getByText('5 个村民小组').waitFor();
  await shot(page, 'console-org');
  problems.push(...(await axeProblems(page)).map((p) => `page axe: ${p}`));
  await ctx.close();

  const townCtx = await browser.newContext(DESKTOP);
  await townCtx.addInitScript(() => window.localStorage.setItem('aidazu.console.largeText', '1'));
  const town = await townCtx.newPage();
  await consoleLogin(town, 'demo-town', '/console/review');
  expect((await town.getByRole('menuitem', { name: '区模板调整' }).count()) === 0, 'no 区模板调整 for the town');
  expect((await town.getByRole('menuitem', { name: '工作日历' }).count()) === 0, 'no 工作日历 for the town');
  await town.getByRole('menuitem', { name: '组织架构' }).click();
  await town.locator('[data-test="org-table"] .el-table__row', { hasText: '棠香街道' }).waitFor();
  expect((await town.locator('[data-test="org-table"] .el-table__row', { hasText: '长虹村' }).count()) === 0, 'only the town');
  expect((await town.getByRole('button', { name: /^添加/ }).count()) === 0, 'the town adds nothing');
  await shot(town, 'console-org-town-large');
  problems.push(...(await axeProblems(town)).map((p) => `town axe: ${p}`));
  await townCtx.close();

  const adminCtx = await browser.newContext(DESKTOP);
  const adminPage = await adminCtx.newPage();
  await consoleLogin(adminPage);
  for (const name of ['区模板调整', '工作日历', '组织架构']) {
    expect((await adminPage.getByRole('menuitem', { name }).count()) === 0, `no ${name} for the village admin`);
  }
  await adminCtx.close();
  expect(problems.length === 0, problems.join('\n'));
});

// ---------------------------------------------------------------- run
browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--lang=zh-CN'],
});
let passed = 0;
let failed = 0;
const failures = [];
const flaky = [];
const only = process.env.ONLY;

async function attempt(name, fn, tag) {
  try {
    await fn();
    return null;
  } catch (error) {
    let i = 0;
    for (const ctx of browser.contexts()) {
      for (const p of ctx.pages()) {
        await p
          .screenshot({ path: join(SHOTS, `FAILED${tag}-${name.slice(0, 40).replace(/[^\w\u4e00-\u9fa5]+/g, '-')}-${i++}.png`) })
          .catch(() => undefined);
      }
    }
    return String(error?.message ?? error).split('\n').slice(0, 12).join('\n    ');
  } finally {
    for (const ctx of browser.contexts()) await ctx.close().catch(() => undefined);
  }
}

// A story that fails is run once more (on the same server, so it must not depend on being
// first); one that then passes counts as passed and is reported as flaky, with its first
// failure, so timing problems stay visible without costing a whole CI run.
for (const { name, fn } of stories) {
  if (only && !name.includes(only)) continue;
  const started = Date.now();
  const first = await attempt(name, fn, '');
  if (first === null) {
    passed++;
    console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    continue;
  }
  console.log(`… ${name}: failed once, run again\n    ${first}`);
  const second = await attempt(name, fn, '-retry');
  if (second === null) {
    passed++;
    flaky.push(`⚠ ${name}\n    first run: ${first}`);
    console.log(`✓ ${name} (passed on its second run: flaky)`);
  } else {
    failed++;
    failures.push(`✗ ${name}\n    ${second}\n    first run: ${first}`);
    console.log(`✗ ${name}\n    ${second}`);
  }
}
await browser.close();
if (flaky.length) console.log(`flaky stories (passed on the second run):\n${flaky.join('\n')}`);
// The failures again, last, so a CI log cut to its tail still names them (scripts/test prints
// this file after the server log).
if (failures.length) writeFileSync(join(SHOTS, 'failures.txt'), `${failures.join('\n')}\n`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
