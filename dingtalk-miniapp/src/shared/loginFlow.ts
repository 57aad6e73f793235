// The login step both apps run: read the configuration, plan, and log in (DingTalk, demo user,
// or the user picked from the simulator's list).
import { ref } from 'vue';
import type { ApiClient } from './api';
import { errorMessage } from './api';
import { loadClientConfig } from './config';
import { bridge, inDingTalk } from './dingtalk';
import {
  ClientConfig,
  ClientKind,
  LoginPlan,
  SimUser,
  demoUsers,
  dingtalkAuthCode,
  exchangeAuthCode,
  exchangeWebLoginCode,
  listSimUsers,
  planLogin,
  simAuthCode,
  webLoginRedirect,
  webLoginUrl,
} from './login';

/** Where the console keeps the web login's `state` between leaving and coming back. */
const WEB_STATE_KEY = 'aidazu.webLoginState';

export function useLoginFlow(api: ApiClient, client: ClientKind, onDone: () => void) {
  const plan = ref<LoginPlan | null>(null);
  const config = ref<ClientConfig | null>(null);
  const users = ref<SimUser[]>([]);
  const busy = ref(false);
  const error = ref<string | null>(null);

  async function withCode(getCode: () => Promise<string>) {
    busy.value = true;
    error.value = null;
    try {
      const code = await getCode();
      await exchangeAuthCode(api, code, client);
      onDone();
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      busy.value = false;
    }
  }

  async function loginAs(userId: string) {
    const simUrl = config.value?.simUrl;
    if (!simUrl) return;
    await withCode(() => simAuthCode(simUrl, userId));
  }

  /** 扫码登录: off to DingTalk's login page, back on the console's login page with a code. */
  function startWebLogin() {
    const cfg = config.value;
    if (!cfg) return;
    const state = crypto.randomUUID();
    sessionStorage.setItem(WEB_STATE_KEY, state);
    window.location.assign(webLoginUrl(cfg, webLoginRedirect(window.location.origin), state));
  }

  async function finishWebLogin(code: string, state: string) {
    const expected = sessionStorage.getItem(WEB_STATE_KEY);
    sessionStorage.removeItem(WEB_STATE_KEY);
    if (!expected || expected !== state) {
      error.value = '登录请求已失效或不是从本页面发起的，请重新扫码登录';
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      await exchangeWebLoginCode(api, code);
      onDone();
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      busy.value = false;
    }
  }

  async function start() {
    busy.value = true;
    error.value = null;
    try {
      config.value = await loadClientConfig();
    } catch (e) {
      error.value = errorMessage(e);
      busy.value = false;
      return;
    }
    busy.value = false;
    const cfg = config.value;
    plan.value = planLogin(cfg, window.location.search, inDingTalk(), client === 'console');
    const p = plan.value;
    if (p.kind === 'web-login') {
      await finishWebLogin(p.code, p.state);
    } else if (p.kind === 'dingtalk') {
      await withCode(() => dingtalkAuthCode(bridge, p.corpId, cfg.clientId));
    } else if (p.kind === 'demo-user') {
      await loginAs(p.userId);
    } else if (p.kind === 'sim-picker' && cfg.simUrl) {
      try {
        users.value = demoUsers(await listSimUsers(cfg.simUrl));
      } catch (e) {
        error.value = errorMessage(e);
      }
    }
  }

  return { plan, config, users, busy, error, start, loginAs, startWebLogin };
}
