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

/**
 * The largest answer read from a provider's API. Their status and result documents are kilobytes
 * (a Concedus page of 500 compliance records, well under a megabyte); an answer past this is not
 * one of them, and reading it whole could take the worker's memory, and every verification with it.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** The answer was larger than {@link MAX_RESPONSE_BYTES}: nothing past the limit was read. */
class ResponseTooLarge extends Error {
  override name = 'ResponseTooLarge';
}

/** The body as text, read no further than `maxBytes` (a larger declared length is refused unread). */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  // As `response.text()` decodes: UTF-8, a leading byte-order mark dropped.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

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
  const text = await readAnswer(response, request.what, signal);
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

/** The answer's text; for a 2xx, a body cut off is an outage, and one past the size limit a bad response. */
async function readAnswer(response: Response, what: string, signal: AbortSignal): Promise<string> {
  try {
    return await readCapped(response, MAX_RESPONSE_BYTES);
  } catch (err) {
    // An error answer's body is never read for its meaning: its status says what happened.
    if (!response.ok) return '';
    if (err instanceof ResponseTooLarge) {
      throw new ProviderCallError(
        ProviderFailure.BadResponse,
        `${what}: response over ${MAX_RESPONSE_BYTES} bytes`,
        response.status,
      );
    }
    // A 2xx whose body was cut off (connection reset, our deadline) says nothing about the
    // provider's answer: an outage, retried, never a bad response.
    throw new ProviderCallError(
      ProviderFailure.Unavailable,
      `${what}: response cut off (${failureReason(err, signal, 'connection lost')})`,
      response.status,
    );
  }
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
