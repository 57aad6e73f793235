// The API client: JSON over fetch, the bearer token, silent refresh, and the one error envelope
// `{code, message, details}` turned into an `ApiError` whose `message` is the server's Chinese text.

export interface ErrorEnvelope {
  code: string;
  message: string;
  details?: unknown;
}

/** An error to show: `message` is always Chinese and fit for a person. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The Chinese text to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return '出现了意外错误，请稍后再试';
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

/** What a login or refresh answers (`SessionResponse`). */
export interface SessionResponse {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  name: string;
  member: { id: number; name: string; householdId: number; villageId: number } | null;
  household: {
    id: number;
    code: string;
    address: string;
    village: { id: number; name: string; code?: string; town?: string };
  } | null;
  roles: { role: string; scopeLevel: string; scopeId: number }[];
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

export interface ApiClientOptions {
  baseUrl?: string;
  tokens: TokenStore;
  /** Called once when the session cannot be kept (refresh refused); the message is Chinese. */
  onSessionEnded?: (message: string) => void;
  /** Called with each new session answer (login or refresh). */
  onSession?: (session: SessionResponse) => void;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh ahead of expiry by this many milliseconds. */
  refreshMarginMs?: number;
}

export const SESSION_ENDED_MESSAGE = '登录已过期，请重新登录';

const TOKEN_ERRORS = new Set(['auth.token_expired', 'auth.invalid_token', 'auth.required']);

export function tokensFrom(session: SessionResponse, now: number): Tokens {
  return {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresAt: now + session.expiresIn * 1000,
  };
}

/** Reads an error response into an `ApiError`, whatever its body. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ErrorEnvelope>;
    if (body && typeof body.code === 'string' && typeof body.message === 'string') {
      return new ApiError(response.status, body.code, body.message, body.details ?? null);
    }
  } catch {
    // not JSON: fall through
  }
  if (response.status === 413) {
    return new ApiError(413, 'request.too_large', '文件太大，请换一张较小的照片');
  }
  return new ApiError(
    response.status,
    'http.unexpected',
    `服务暂时不可用（HTTP ${response.status}），请稍后再试`,
  );
}

export interface RequestOptions {
  /** Send the bearer token (default true). */
  auth?: boolean;
  /** A multipart body instead of JSON. */
  form?: FormData;
  query?: Record<string, string | number | undefined | null>;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenStore;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly margin: number;
  private refreshing: Promise<Tokens> | null = null;
  private ended = false;
  onSessionEnded?: (message: string) => void;
  onSession?: (session: SessionResponse) => void;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? (() => Date.now());
    this.margin = options.refreshMarginMs ?? 60_000;
    this.onSessionEnded = options.onSessionEnded;
    this.onSession = options.onSession;
  }

  get loggedIn(): boolean {
    return this.tokens.load() !== null;
  }

  /** Keeps a fresh login answer. */
  startSession(session: SessionResponse): void {
    this.ended = false;
    this.tokens.save(tokensFrom(session, this.now()));
    this.onSession?.(session);
  }

  /** Forgets the tokens (after logout or a refused refresh). */
  clear(): void {
    this.tokens.save(null);
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, options);
  }

  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, body, options);
  }

  /** A binary resource with the bearer token (photos), as an object URL. */
  async blobUrl(path: string): Promise<string> {
    const response = await this.send('GET', path, undefined, {});
    const blob = await response.blob();
    return URL.createObjectURL(blob);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const response = await this.send(method, path, body, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private url(path: string, query?: RequestOptions['query']): string {
    let url = this.baseUrl + path;
    if (query) {
      const params = Object.entries(query)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
      if (params.length) url += (url.includes('?') ? '&' : '?') + params.join('&');
    }
    return url;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
  ): Promise<Response> {
    const auth = options.auth !== false;
    let tokens = auth ? this.tokens.load() : null;
    if (auth && !tokens) {
      throw new ApiError(401, 'auth.required', '请先登录');
    }
    if (tokens && tokens.expiresAt - this.now() < this.margin) {
      tokens = await this.refresh();
    }
    let response = await this.raw(method, path, body, options, tokens);
    if (response.status === 401 && tokens) {
      const error = await errorFromResponse(response.clone());
      if (TOKEN_ERRORS.has(error.code)) {
        tokens = await this.refresh();
        response = await this.raw(method, path, body, options, tokens);
      }
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    return response;
  }

  private async raw(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
    tokens: Tokens | null,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (options.form) {
      payload = options.form;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (tokens) headers.authorization = `Bearer ${tokens.accessToken}`;
    try {
      return await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: payload,
      });
    } catch {
      throw new ApiError(0, 'network.unreachable', '网络连接失败，请检查网络后重试');
    }
  }

  /** One refresh at a time; a refused refresh ends the session with a clear message. */
  refresh(): Promise<Tokens> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<Tokens> {
    const current = this.tokens.load();
    if (!current) throw this.endSession();
    let response: Response;
    try {
      response = await this.fetchImpl(this.url('/api/v1/auth/refresh'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
    } catch {
      throw new ApiError(0, 'network.unreachable', '网络连接失败，请检查网络后重试');
    }
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (response.status === 401 || response.status === 403) throw this.endSession(error);
      throw error;
    }
    const session = (await response.json()) as SessionResponse;
    const tokens = tokensFrom(session, this.now());
    this.tokens.save(tokens);
    this.onSession?.(session);
    return tokens;
  }

  private endSession(cause?: ApiError): ApiError {
    this.tokens.save(null);
    const message =
      cause?.code === 'auth.account_disabled' ? cause.message : SESSION_ENDED_MESSAGE;
    if (!this.ended) {
      this.ended = true;
      this.onSessionEnded?.(message);
    }
    return new ApiError(401, 'auth.session_ended', message, cause ? { cause: cause.code } : null);
  }
}

/** Tokens in localStorage under `key` (each app keeps its own session). */
export function localTokenStore(key: string, storage: Storage = window.localStorage): TokenStore {
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        if (!raw) return null;
        const tokens = JSON.parse(raw) as Tokens;
        return tokens.accessToken && tokens.refreshToken ? tokens : null;
      } catch {
        return null;
      }
    },
    save(tokens) {
      try {
        if (tokens) storage.setItem(key, JSON.stringify(tokens));
        else storage.removeItem(key);
      } catch {
        // private mode: the session lasts for this page only
      }
    },
  };
}
