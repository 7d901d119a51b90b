// The one way the UI talks to the server: JSON over fetch with the session cookie, the CSRF
// header on writes, and the server's {"error":{code,message,details}} turned into an ApiError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The error a response stands for, from its status and (parsed) body. */
export function toApiError(status: number, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof message === 'string' && message) {
      return new ApiError(status, typeof code === 'string' ? code : 'error', message, details);
    }
  }
  return new ApiError(status, status >= 500 ? 'internal' : 'error', `The server answered ${status}`);
}

let csrfToken: string | null = null;

/** Remember the session's CSRF token (from login or /api/me); writes send it back. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type RequestOptions = {
  method?: HttpMethod;
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses besides 2xx whose JSON body is a normal answer (health reports 503 with a body). */
  accept?: readonly number[];
};

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  // Fastify refuses an empty body sent as JSON, so the content type goes only with a body;
  // a FormData body (file upload) sets its own multipart type and boundary.
  const isForm = typeof FormData !== 'undefined' && options.body instanceof FormData;
  if (options.body !== undefined && !isForm) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const text = await response.text();
  const body = text ? parseJson(text) : undefined;
  if (!response.ok && !options.accept?.includes(response.status)) throw toApiError(response.status, body);
  return body as T;
}

/** Query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
