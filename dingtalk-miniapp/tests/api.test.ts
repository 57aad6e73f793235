import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, SESSION_ENDED_MESSAGE, SessionResponse, Tokens, TokenStore, errorMessage } from '../src/shared/api';

function memoryTokens(initial: Tokens | null = null): TokenStore & { value: Tokens | null } {
  const store = {
    value: initial,
    load: () => store.value,
    save: (t: Tokens | null) => {
      store.value = t;
    },
  };
  return store;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function session(access: string, refresh: string): SessionResponse {
  return {
    accessToken: access,
    refreshToken: refresh,
    tokenType: 'Bearer',
    expiresIn: 900,
    name: '唐平',
    member: null,
    household: null,
    roles: [],
  };
}

const NOW = 1_000_000;

describe('ApiClient errors', () => {
  it('turns the error envelope into an ApiError carrying the server Chinese message', async () => {
    const fetch = vi.fn(async () => json(422, { code: 'declaration.photo_count', message: '请上传 1 至 9 张照片', details: { min: 1 } }));
    const api = new ApiClient({ tokens: memoryTokens({ accessToken: 'a', refreshToken: 'r', expiresAt: NOW + 600_000 }), fetch, now: () => NOW });
    const error = await api.post('/api/v1/declarations', {}).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('declaration.photo_count');
    expect(error.status).toBe(422);
    expect(error.message).toBe('请上传 1 至 9 张照片');
    expect(error.details).toEqual({ min: 1 });
    expect(errorMessage(error)).toBe('请上传 1 至 9 张照片');
  });

  it('gives a Chinese message for a non-JSON error and for a network failure', async () => {
    const html = vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 }));
    const api = new ApiClient({ tokens: memoryTokens(), fetch: html });
    const error = await api.get('/api/v1/villages', { auth: false }).catch((e) => e);
    expect(error.message).toBe('服务暂时不可用（HTTP 502），请稍后再试');

    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const api2 = new ApiClient({ tokens: memoryTokens(), fetch: down });
    const error2 = await api2.get('/api/v1/villages', { auth: false }).catch((e) => e);
    expect(error2.code).toBe('network.unreachable');
    expect(error2.message).toBe('网络连接失败，请检查网络后重试');
    expect(errorMessage(new Error('x'))).toBe('出现了意外错误，请稍后再试');
  });

  it('sends the bearer token and JSON body', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json(200, { ok: true }));
    const api = new ApiClient({ tokens: memoryTokens({ accessToken: 'tok', refreshToken: 'r', expiresAt: NOW + 600_000 }), fetch, now: () => NOW });
    await api.post('/api/v1/x', { a: 1 }, { query: { page: 2, skip: undefined } });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/v1/x?page=2');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(init?.body).toBe('{"a":1}');
  });

  it('refuses an authenticated call without a session, without calling the server', async () => {
    const fetch = vi.fn();
    const api = new ApiClient({ tokens: memoryTokens(), fetch });
    const error = await api.get('/api/v1/me/household').catch((e) => e);
    expect(error.code).toBe('auth.required');
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('token refresh', () => {
  it('refreshes silently ahead of expiry and keeps the rotated pair', async () => {
    const tokens = memoryTokens({ accessToken: 'old', refreshToken: 'r1', expiresAt: NOW + 10_000 });
    const calls: string[] = [];
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push(`${init?.method} ${url}`);
      if (String(url).endsWith('/auth/refresh')) {
        expect(JSON.parse(String(init?.body))).toEqual({ refreshToken: 'r1' });
        return json(200, session('new', 'r2'));
      }
      expect((init?.headers as Record<string, string>).authorization).toBe('Bearer new');
      return json(200, { ok: 1 });
    });
    const api = new ApiClient({ tokens, fetch, now: () => NOW });
    await api.get('/api/v1/me/household');
    expect(calls).toEqual(['POST /api/v1/auth/refresh', 'GET /api/v1/me/household']);
    expect(tokens.value).toEqual({ accessToken: 'new', refreshToken: 'r2', expiresAt: NOW + 900_000 });
  });

  it('refreshes once on auth.token_expired and retries the call', async () => {
    const tokens = memoryTokens({ accessToken: 'old', refreshToken: 'r1', expiresAt: NOW + 600_000 });
    let first = true;
    const fetch = vi.fn(async (url: RequestInfo | URL) => {
      if (String(url).endsWith('/auth/refresh')) return json(200, session('new', 'r2'));
      if (first) {
        first = false;
        return json(401, { code: 'auth.token_expired', message: '登录已过期' });
      }
      return json(200, { yearScore: 5 });
    });
    const api = new ApiClient({ tokens, fetch, now: () => NOW });
    await expect(api.get('/api/v1/me/household')).resolves.toEqual({ yearScore: 5 });
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('shares one refresh between concurrent calls', async () => {
    const tokens = memoryTokens({ accessToken: 'old', refreshToken: 'r1', expiresAt: NOW });
    let refreshes = 0;
    const fetch = vi.fn(async (url: RequestInfo | URL) => {
      if (String(url).endsWith('/auth/refresh')) {
        refreshes += 1;
        return json(200, session('new', 'r2'));
      }
      return json(200, {});
    });
    const api = new ApiClient({ tokens, fetch, now: () => NOW });
    await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(refreshes).toBe(1);
  });

  it('ends the session with a clear Chinese message when the refresh is refused', async () => {
    const tokens = memoryTokens({ accessToken: 'old', refreshToken: 'r1', expiresAt: NOW });
    const ended = vi.fn();
    const fetch = vi.fn(async () => json(401, { code: 'auth.refresh_token_reused', message: '登录凭证已失效' }));
    const api = new ApiClient({ tokens, fetch, now: () => NOW, onSessionEnded: ended });
    const error = await api.get('/api/v1/me/household').catch((e) => e);
    expect(error.code).toBe('auth.session_ended');
    expect(error.message).toBe(SESSION_ENDED_MESSAGE);
    expect(ended).toHaveBeenCalledWith('登录已过期，请重新登录');
    expect(tokens.value).toBeNull();
  });
});
