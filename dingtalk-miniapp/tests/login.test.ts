import { describe, expect, it, vi } from 'vitest';
import { ApiClient, Tokens } from '../src/shared/api';
import {
  AuthCodeBridge,
  ClientConfig,
  demoUsers,
  dingtalkAuthCode,
  exchangeAuthCode,
  planLogin,
  simAuthCode,
  webLoginRedirect,
  webLoginUrl,
  withoutDemoUser,
} from '../src/shared/login';

const sim: ClientConfig = { dingtalkMode: 'sim', simUrl: 'http://127.0.0.1:8089', corpId: 'dingcorp', clientId: 'appkey', webLoginBase: 'http://127.0.0.1:8089' };
const live: ClientConfig = { ...sim, dingtalkMode: 'live', simUrl: null, webLoginBase: 'https://login.dingtalk.com' };

describe('planLogin', () => {
  it('logs a demo user in directly in sim mode only', () => {
    expect(planLogin(sim, '?demoUser=demo-villager', false)).toEqual({ kind: 'demo-user', userId: 'demo-villager' });
    expect(planLogin(live, '?demoUser=demo-villager', false)).toEqual({ kind: 'demo-refused' });
    expect(planLogin(live, '?demoUser=demo-admin', true)).toEqual({ kind: 'demo-refused' });
  });

  it('uses DingTalk inside DingTalk, the corp id from ?corpid= first', () => {
    expect(planLogin(live, '?corpid=dingXYZ', true)).toEqual({ kind: 'dingtalk', corpId: 'dingXYZ' });
    expect(planLogin(live, '', true)).toEqual({ kind: 'dingtalk', corpId: 'dingcorp' });
  });

  it('offers the simulator users outside DingTalk in sim mode, a plain notice in live mode', () => {
    expect(planLogin(sim, '', false)).toEqual({ kind: 'sim-picker' });
    expect(planLogin(live, '', false)).toEqual({ kind: 'open-in-dingtalk' });
  });

  it('drops demoUser from the address once used', () => {
    expect(withoutDemoUser('?demoUser=a&corpid=b')).toBe('?corpid=b');
    expect(withoutDemoUser('?demoUser=a')).toBe('');
  });
});

function bridge(overrides: Partial<AuthCodeBridge>): AuthCodeBridge {
  return {
    platform: 'android',
    requestAuthCode: vi.fn(async () => ({ code: 'new-code' })),
    legacyRequestAuthCode: vi.fn(async () => ({ code: 'legacy-code' })),
    ...overrides,
  };
}

describe('dingtalkAuthCode', () => {
  it('uses requestAuthCode({corpId, clientId})', async () => {
    const b = bridge({});
    await expect(dingtalkAuthCode(b, 'dingcorp', 'appkey')).resolves.toBe('new-code');
    expect(b.requestAuthCode).toHaveBeenCalledWith({ corpId: 'dingcorp', clientId: 'appkey' });
    expect(b.legacyRequestAuthCode).not.toHaveBeenCalled();
  });

  it('falls back to the legacy API on an old client', async () => {
    const b = bridge({ requestAuthCode: vi.fn(async () => Promise.reject(new Error('ERROR 4040: version'))) });
    await expect(dingtalkAuthCode(b, 'dingcorp', 'appkey')).resolves.toBe('legacy-code');
    expect(b.legacyRequestAuthCode).toHaveBeenCalledWith({ corpId: 'dingcorp' });
  });

  it('gives up with a Chinese message when the bridge never answers', async () => {
    vi.useFakeTimers();
    try {
      const b = bridge({ requestAuthCode: () => new Promise(() => undefined) });
      const result = dingtalkAuthCode(b, 'dingcorp', 'appkey', 8000).catch((e) => e);
      await vi.advanceTimersByTimeAsync(8001);
      const error = await result;
      expect(error.code).toBe('dingtalk.timeout');
      expect(error.message).toBe('钉钉没有响应，请关闭后重新打开本应用');
      expect(b.legacyRequestAuthCode).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses without a corp id', async () => {
    const error = await dingtalkAuthCode(bridge({}), '', 'appkey').catch((e) => e);
    expect(error.code).toBe('dingtalk.no_corp');
  });
});

describe('simulator login', () => {
  it('asks the simulator for a code and exchanges it for our session', async () => {
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      if (String(url) === 'http://127.0.0.1:8089/sim/auth-codes') {
        expect(JSON.parse(String(init?.body))).toEqual({ userId: 'demo-villager' });
        return new Response(JSON.stringify({ code: 'c-1' }), { status: 200 });
      }
      expect(String(url)).toBe('/api/v1/auth/dingtalk');
      expect(JSON.parse(String(init?.body))).toEqual({ authCode: 'c-1', client: 'miniapp' });
      return new Response(
        JSON.stringify({ accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 900, name: '唐平', member: null, household: null, roles: [] }),
        { status: 200 },
      );
    });
    let saved: Tokens | null = null;
    const api = new ApiClient({ tokens: { load: () => saved, save: (t) => (saved = t) }, fetch, now: () => 0 });
    const code = await simAuthCode('http://127.0.0.1:8089', 'demo-villager', fetch);
    const session = await exchangeAuthCode(api, code, 'miniapp');
    expect(session.name).toBe('唐平');
    expect(saved).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 900_000 });
  });

  it('shows the simulator refusal in Chinese', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ error: '用户不存在' }), { status: 404 }));
    const error = await simAuthCode('http://sim', 'nobody', fetch).catch((e) => e);
    expect(error.message).toBe('用户不存在');
  });

  it('lists the fixed demo accounts first, not the generated users', () => {
    const users = demoUsers([
      { userid: 'u-heping-01-002-1', name: 'x' },
      { userid: 'admin-cihang', name: '刘红军' },
      { userid: 'demo-admin', name: '王光明' },
      { userid: 'demo-villager', name: '唐平' },
    ]);
    expect(users.map((u) => u.userid)).toEqual(['demo-villager', 'demo-admin', 'admin-cihang']);
  });
});

describe('web login (扫码登录, console outside DingTalk)', () => {
  it('sends the browser to DingTalk with the console login page as the way back', () => {
    const url = new URL(webLoginUrl(live, webLoginRedirect('https://jf.dazu.gov.cn'), 'st-1'));
    expect(url.origin + url.pathname).toBe('https://login.dingtalk.com/oauth2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      redirect_uri: 'https://jf.dazu.gov.cn/console/login',
      response_type: 'code',
      client_id: 'appkey',
      scope: 'openid',
      state: 'st-1',
      prompt: 'consent',
    });
    expect(webLoginUrl(sim, 'http://x/console/login', 's')).toMatch(/^http:\/\/127\.0\.0\.1:8089\/oauth2\/auth\?/);
  });

  it('takes the redirect only in the console and only outside DingTalk', () => {
    expect(planLogin(live, '?authCode=c9&code=c9&state=st-1', false, true)).toEqual({ kind: 'web-login', code: 'c9', state: 'st-1' });
    expect(planLogin(live, '?authCode=c9&state=st-1', false, false)).toEqual({ kind: 'open-in-dingtalk' });
    expect(planLogin(live, '?authCode=c9&state=st-1', true, true)).toEqual({ kind: 'dingtalk', corpId: 'dingcorp' });
    expect(planLogin(live, '?authCode=c9', false, true)).toEqual({ kind: 'open-in-dingtalk' });
  });
});
