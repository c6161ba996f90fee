/**
 * The one place the ingress builds a 503. Each says when to come back (Retry-After), in a JSON
 * body with a stable code and no internal text: a provider that retries finds the callback
 * handled then, and nothing it sent is lost in between.
 */
import { HttpError } from './http-error';

/** Seconds a provider should wait before retrying when Temporal cannot take the callback. */
export const RETRY_AFTER_SECONDS = 5;
/**
 * Retry-After when the ingress is at its in-flight bound: at the bound, the hand-overs ahead of a
 * retry drain in about a second on the embedded dev server (docs/architecture.md, "Capacity and
 * back-pressure").
 */
export const OVERLOAD_RETRY_AFTER_SECONDS = 2;

/** Temporal could not take the callback (or its dead letter) now; the provider retries. */
export function temporalUnavailable(): HttpError {
  return new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/** Too many hand-overs are waiting on Temporal: refused at once rather than queued past the provider's timeout. */
export function overloaded(): HttpError {
  return new HttpError(503, 'overloaded', 'too many callbacks are being stored right now; retry later', {
    retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
  });
}

/** More than KYC_CALLBACK_STARTS_PER_MINUTE new workflows from this provider's callbacks: retry when a start is free. */
export function startLimited(retryAfterSeconds: number): HttpError {
  return new HttpError(503, 'start_limited', 'too many new verifications from callbacks right now; retry later', {
    retryAfterSeconds,
  });
}
