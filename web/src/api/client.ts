/**
 * The one way the web app talks to the server: JSON over fetch, the session cookie sent by the
 * browser, the CSRF token added to every state-changing request (docs/api.md), and every failure
 * turned into an ApiError carrying the server's error code, which the UI translates.
 */

/** The server's error codes (src/core/errors.ts and the error handler), plus the client's own. */
export type ApiErrorCode =
  | 'invalid-input' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-large'
  | 'too-many-requests' | 'internal' | 'network';

export type ApiIssue = { path: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The field issues of a 400, when the server listed them. */
  get issues(): ApiIssue[] {
    const issues = this.details.issues;
    return Array.isArray(issues) ? (issues as ApiIssue[]) : [];
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** The session's CSRF token, set on sign-in and on reading the session; null when signed out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * What to do when a request finds the session gone (expired, or ended elsewhere): the session
 * provider sends the user to sign in and back to the same page afterwards.
 */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

const KNOWN_CODES: readonly ApiErrorCode[] = [
  'invalid-input', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'too-large', 'too-many-requests', 'internal',
];

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Whether a 401 means "the session ended" (false for sign-in itself and the session probe). */
  sessionRequired?: boolean;
  signal?: AbortSignal;
};

/** The URL of `path` with `query`'s defined values. */
export function withQuery(path: string, query: RequestOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (a file upload) goes as multipart, its boundary set by the browser.
  const form = typeof FormData !== 'undefined' && options.body instanceof FormData;
  if (options.body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: form ? (options.body as FormData) : JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', (error as Error).message);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body as { code?: string; message?: string; details?: Record<string, unknown> } | null;
    const code = KNOWN_CODES.includes(error?.code as ApiErrorCode) ? (error!.code as ApiErrorCode) : response.status >= 500 ? 'internal' : 'invalid-input';
    if (response.status === 401 && options.sessionRequired !== false) onUnauthenticated?.();
    throw new ApiError(response.status, code, error?.message ?? response.statusText, error?.details ?? {});
  }
  return body as T;
}
