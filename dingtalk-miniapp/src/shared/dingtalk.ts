// The DingTalk JSAPI, imported per API (never the whole package).
import dd from 'dingtalk-jsapi/entry/union';
import requestAuthCode from 'dingtalk-jsapi/api/union/requestAuthCode';
import legacyRequestAuthCode from 'dingtalk-jsapi/api/runtime/permission/requestAuthCode';
import type { AuthCodeBridge } from './login';

export function platform(): string {
  try {
    return (dd as unknown as { env: { platform: string } }).env.platform;
  } catch {
    return 'notInDingTalk';
  }
}

export function inDingTalk(): boolean {
  return platform() !== 'notInDingTalk';
}

export const bridge: AuthCodeBridge = {
  get platform() {
    return platform();
  },
  requestAuthCode: (params) => requestAuthCode(params),
  legacyRequestAuthCode: (params) => legacyRequestAuthCode(params),
};

/** The DingTalk QR scanner (inside DingTalk only): the scanned text. */
export async function scanQr(): Promise<string> {
  const { default: scan } = await import('dingtalk-jsapi/api/biz/util/scan');
  const result = (await scan({ type: 'qr' })) as { text?: string };
  return result.text ?? '';
}
