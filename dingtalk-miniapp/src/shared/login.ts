// Login: DingTalk 免登 inside DingTalk (requestAuthCode, legacy fallback, always with a timeout),
// the simulator's auth codes in sim mode (demo user list, `?demoUser=`), then our own
// POST /api/v1/auth/dingtalk.

import { ApiClient, ApiError, SessionResponse } from './api';

/** `GET /api/v1/client-config`. */
export interface ClientConfig {
  /** `sim` (built-in DingTalk simulator) or `live`. */
  dingtalkMode: 'sim' | 'live';
  /** Base URL of the simulator (sim mode), e.g. `http://127.0.0.1:8089`. */
  simUrl: string | null;
  corpId: string;
  /** The app key (DingTalk's `clientId`). */
  clientId: string;
  /** DingTalk's web login (扫码登录) host: `https://login.dingtalk.com`, or the simulator. */
  webLoginBase: string;
}

export type ClientKind = 'miniapp' | 'console';

export interface AuthCodeBridge {
  /** `dd.env.platform`; `notInDingTalk` outside DingTalk. */
  platform: string;
  requestAuthCode(params: { corpId: string; clientId: string }): Promise<{ code: string }>;
  legacyRequestAuthCode(params: { corpId: string }): Promise<{ code: string }>;
}

export const AUTH_CODE_TIMEOUT_MS = 8000;

/** Rejects after `ms` with a Chinese message; the DingTalk bridge may never answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ApiError(0, 'dingtalk.timeout', message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The 免登 code from the DingTalk client: the current API first, the legacy one when the client
 * is too old for it, each raced against the timeout.
 */
export async function dingtalkAuthCode(
  bridge: AuthCodeBridge,
  corpId: string,
  clientId: string,
  timeoutMs = AUTH_CODE_TIMEOUT_MS,
): Promise<string> {
  if (!corpId) {
    throw new ApiError(0, 'dingtalk.no_corp', '缺少企业标识（corpid），请从钉钉工作台打开本应用');
  }
  const timeoutMessage = '钉钉没有响应，请关闭后重新打开本应用';
  try {
    const { code } = await withTimeout(
      bridge.requestAuthCode({ corpId, clientId }),
      timeoutMs,
      timeoutMessage,
    );
    return code;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'dingtalk.timeout') throw error;
    // An old client without requestAuthCodeV2: the legacy call.
    try {
      const { code } = await withTimeout(
        bridge.legacyRequestAuthCode({ corpId }),
        timeoutMs,
        timeoutMessage,
      );
      return code;
    } catch (legacyError) {
      if (legacyError instanceof ApiError) throw legacyError;
      throw new ApiError(0, 'dingtalk.auth_code', '钉钉免登失败，请关闭后重新打开本应用');
    }
  }
}

/** A fresh auth code from the simulator (`POST {sim}/sim/auth-codes`). */
export async function simAuthCode(
  simUrl: string,
  userId: string,
  fetchImpl: typeof fetch = (i, o) => fetch(i, o),
): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(`${simUrl}/sim/auth-codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
  } catch {
    throw new ApiError(0, 'sim.unreachable', '无法连接钉钉模拟器，请确认服务已启动');
  }
  const body = (await response.json().catch(() => ({}))) as { code?: string; error?: string };
  if (!response.ok || !body.code) {
    throw new ApiError(response.status, 'sim.auth_code', body.error ?? '模拟器没有给出登录码');
  }
  return body.code;
}

/** Chinese names of the roles (R1). */
export const ROLE_LABEL: Record<string, string> = {
  villager: '村民',
  village_admin: '村管理员',
  village_committee: '村支两委',
  town_officer: '镇街',
  district_officer: '区农业农村委',
};

/** A simulator user as `GET {sim}/sim/users` lists it. */
export interface SimUser {
  userid: string;
  name: string;
  title?: string | null;
}

/** The demo accounts worth a button: the fixed ones, not the ~700 generated `u-…` users. */
export function demoUsers(users: SimUser[]): SimUser[] {
  return users
    .filter((u) => !u.userid.startsWith('u-'))
    .sort((a, b) => demoOrder(a.userid) - demoOrder(b.userid) || a.userid.localeCompare(b.userid));
}

function demoOrder(id: string): number {
  const order = ['demo-villager', 'demo-admin', 'demo-committee', 'demo-town', 'demo-district'];
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

export async function listSimUsers(
  simUrl: string,
  fetchImpl: typeof fetch = (i, o) => fetch(i, o),
): Promise<SimUser[]> {
  try {
    const response = await fetchImpl(`${simUrl}/sim/users`, { method: 'GET' });
    if (!response.ok) throw new Error(String(response.status));
    const users = (await response.json()) as {
      userid?: string;
      userId?: string;
      name: string;
      title?: string | null;
      role?: string | null;
    }[];
    return users.map((u) => ({
      userid: u.userid ?? u.userId ?? '',
      name: u.name,
      title: (u.role && ROLE_LABEL[u.role]) || u.title || null,
    }));
  } catch {
    throw new ApiError(0, 'sim.unreachable', '无法连接钉钉模拟器，请确认服务已启动');
  }
}

/** Exchanges an auth code for our session and keeps it in the client. */
export async function exchangeAuthCode(
  api: ApiClient,
  authCode: string,
  client: ClientKind,
): Promise<SessionResponse> {
  const session = await api.post<SessionResponse>(
    '/api/v1/auth/dingtalk',
    { authCode, client },
    { auth: false },
  );
  api.startSession(session);
  return session;
}

/** Exchanges DingTalk's web-login (扫码登录) code for a console session. */
export async function exchangeWebLoginCode(api: ApiClient, authCode: string): Promise<SessionResponse> {
  const session = await api.post<SessionResponse>('/api/v1/auth/dingtalk/web', { authCode }, { auth: false });
  api.startSession(session);
  return session;
}

/** Where DingTalk's web login sends the browser back: the console's login page. */
export function webLoginRedirect(origin: string): string {
  return `${origin}/console/login`;
}

/** DingTalk's web-login (OAuth2) address for the console; `state` guards the round trip. */
export function webLoginUrl(config: ClientConfig, redirectUri: string, state: string): string {
  const url = new URL('/oauth2/auth', config.webLoginBase);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('state', state);
  url.searchParams.set('prompt', 'consent');
  return url.toString();
}

/** The query parameters the web login leaves on the address, removed once used. */
export const WEB_LOGIN_PARAMS = ['authCode', 'code', 'state'];

/** What the login step should do, from the configuration and the address. */
export type LoginPlan =
  | { kind: 'web-login'; code: string; state: string }
  | { kind: 'dingtalk'; corpId: string }
  | { kind: 'demo-user'; userId: string }
  | { kind: 'sim-picker' }
  | { kind: 'demo-refused' }
  | { kind: 'open-in-dingtalk' };

export function planLogin(
  config: ClientConfig,
  search: string,
  inDingTalk: boolean,
  /** The console takes DingTalk's web-login redirect (`?authCode&state`); the micro-app does not. */
  webLogin = false,
): LoginPlan {
  const params = new URLSearchParams(search);
  const webCode = params.get('authCode');
  const webState = params.get('state');
  if (webLogin && webCode && webState !== null && !inDingTalk) {
    return { kind: 'web-login', code: webCode, state: webState };
  }
  const demoUser = params.get('demoUser');
  if (demoUser) {
    return config.dingtalkMode === 'sim' ? { kind: 'demo-user', userId: demoUser } : { kind: 'demo-refused' };
  }
  if (inDingTalk) {
    return { kind: 'dingtalk', corpId: params.get('corpid') || params.get('corpId') || config.corpId };
  }
  return config.dingtalkMode === 'sim' ? { kind: 'sim-picker' } : { kind: 'open-in-dingtalk' };
}

/** Removes `demoUser` from the address once used (a reload then keeps the session). */
export function withoutDemoUser(search: string): string {
  const params = new URLSearchParams(search);
  params.delete('demoUser');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}
