import { callSignal } from './call-signal';
import { ProviderFailure, type ProviderFailureType } from '../verification/provider-failure';
import { parseUntrustedJson } from './untrusted-json';
import { retryAfterMs } from '../http/retry-after';

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

/** The longest one request may take, whatever time the activity has left. */
export const REQUEST_CAP_MS = 15_000;

export interface JsonRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body, or a form for token endpoints. */
  json?: unknown;
  form?: Record<string, string>;
  /** This request's own cap (default {@link REQUEST_CAP_MS}), under the deadline of the call it is part of. */
  timeoutMs?: number;
  /** Ends the request early; default: the signal of the provider call in progress ({@link callSignal}). */
  signal?: AbortSignal;
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
 * other 4xx → request rejected; 5xx, timeouts, network errors, an abort and a body cut off → unavailable.
 * The request ends at its own cap or when the call it is part of ends (the activity's deadline or
 * cancellation), whichever comes first: an abandoned attempt never keeps talking to the provider.
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
  const call = request.signal ?? callSignal();
  const cap = AbortSignal.timeout(request.timeoutMs ?? REQUEST_CAP_MS);
  const signal = call ? AbortSignal.any([call, cap]) : cap;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'error',
      signal,
    });
  } catch (err) {
    throw new ProviderCallError(
      ProviderFailure.Unavailable,
      `${request.what}: ${failureReason(err, signal, 'could not connect')}`,
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    // A 2xx whose body was cut off (connection reset, our deadline) says nothing about the
    // provider's answer: an outage, retried, never a bad response.
    if (response.ok) {
      throw new ProviderCallError(
        ProviderFailure.Unavailable,
        `${request.what}: response cut off (${failureReason(err, signal, 'connection lost')})`,
        response.status,
      );
    }
    text = '';
  }
  if (response.ok) {
    let parsed: unknown;
    try {
      parsed = text ? parseUntrustedJson(text) : undefined;
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

/** Why a request failed, in words that carry no URL or body. */
function failureReason(err: unknown, signal: AbortSignal, otherwise: string): string {
  // Duck-typed: the DOMException may come from another realm, where `instanceof Error` is false.
  const cause = (signal.aborted ? signal.reason : err) as { name?: unknown } | undefined;
  if (cause?.name === 'TimeoutError') return 'timed out';
  return signal.aborted ? 'cancelled' : otherwise;
}

export function classifyStatus(status: number): ProviderFailureType {
  if (status === 404) return ProviderFailure.NotReady;
  if (status === 401 || status === 403) return ProviderFailure.AuthRejected;
  if (status === 429) return ProviderFailure.RateLimited;
  if (status === 408 || status >= 500) return ProviderFailure.Unavailable;
  return ProviderFailure.RequestRejected;
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
