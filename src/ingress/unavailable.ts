/**
 * The one place the ingress builds a 503. Each says when to come back (Retry-After), in a JSON
 * body with a stable code and no internal text: a provider that retries finds the callback
 * handled then, and nothing it sent is lost in between.
 */
import { HttpError } from './http-error';

/** Seconds a provider should wait before retrying when Temporal cannot take the callback. */
export const RETRY_AFTER_SECONDS = 5;

/** Temporal could not take the callback (or its dead letter) now; the provider retries. */
export function temporalUnavailable(): HttpError {
  return new HttpError(503, 'temporal_unavailable', 'the callback could not be stored; retry later', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/**
 * Too many hand-overs are waiting on Temporal: refused at once rather than queued past the
 * provider's timeout. `retryAfterSeconds` comes from the hand-over limit, spread over the time its
 * backlog needs (src/ingress/handover-limit.ts), so refused retries do not return together.
 */
export function overloaded(retryAfterSeconds: number): HttpError {
  return new HttpError(503, 'overloaded', 'too many callbacks are being stored right now; retry later', {
    retryAfterSeconds,
  });
}

/** More than KYC_CALLBACK_STARTS_PER_MINUTE new workflows from this provider's callbacks: retry when a start is free. */
export function startLimited(retryAfterSeconds: number): HttpError {
  return new HttpError(503, 'start_limited', 'too many new verifications from callbacks right now; retry later', {
    retryAfterSeconds,
  });
}
