import type { ClientConfig } from './login';
import { errorFromResponse, ApiError } from './api';

let cached: Promise<ClientConfig> | null = null;

/** `GET /api/v1/client-config`, once per page. */
export function loadClientConfig(fetchImpl: typeof fetch = (i, o) => fetch(i, o)): Promise<ClientConfig> {
  if (!cached) {
    cached = (async () => {
      let response: Response;
      try {
        response = await fetchImpl('/api/v1/client-config', { headers: { accept: 'application/json' } });
      } catch {
        throw new ApiError(0, 'network.unreachable', '网络连接失败，请检查网络后重试');
      }
      if (!response.ok) throw await errorFromResponse(response);
      return (await response.json()) as ClientConfig;
    })();
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
