import { ProviderFailure, type ProviderFailureType } from './failure-types';

/** A failed call to a provider's API, classified. Its message names the call, never the response body. */
export class ProviderCallError extends Error {
  override name = 'ProviderCallError';
  constructor(
    readonly failureType: ProviderFailureType,
    message: string,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export const USER_AGENT = 'kyc-orchestrator/0.1 (+https://github.com/kyc-orchestrator)';

export interface JsonRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body, or a form for token endpoints. */
  json?: unknown;
  form?: Record<string, string>;
  timeoutMs?: number;
  /** What the call is, for error messages: e.g. "jumio status". */
  what: string;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  /** The body as received, for signatures made over the provider's own bytes. */
  text: string;
}

/**
 * One HTTP call to a provider's API with the error classification every provider shares:
 * 2xx → body; 404 → not ready; 401/403 → auth; 429 → rate limited (Retry-After honoured);
 * other 4xx → request rejected; 5xx, timeouts and network errors → unavailable.
 */
export async function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': USER_AGENT, ...request.headers };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'could not connect';
    throw new ProviderCallError(ProviderFailure.Unavailable, `${request.what}: ${reason}`);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) {
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ProviderCallError(
        ProviderFailure.BadResponse,
        `${request.what}: response is not JSON`,
        response.status,
      );
    }
    return { status: response.status, body: parsed, text };
  }
  throw new ProviderCallError(
    classifyStatus(response.status),
    `${request.what}: HTTP ${response.status}`,
    response.status,
    retryAfterMs(response.headers.get('retry-after')),
  );
}

export function classifyStatus(status: number): ProviderFailureType {
  if (status === 404) return ProviderFailure.NotReady;
  if (status === 401 || status === 403) return ProviderFailure.AuthRejected;
  if (status === 429) return ProviderFailure.RateLimited;
  if (status === 408 || status >= 500) return ProviderFailure.Unavailable;
  return ProviderFailure.RequestRejected;
}

/** Retry-After as delta-seconds or an HTTP date; capped at an hour so a bad header cannot stall a verification. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 3_600_000);
}

/**
 * Whether `href` (a URL a callback handed us) may be fetched with our credentials: only when it
 * points at the configured API origin. Anything else would let a forged callback steer our
 * server-side requests (and our bearer token) elsewhere.
 */
export function isSameOrigin(href: string, base: string): boolean {
  try {
    return new URL(href).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
