/**
 * Step 3, what we refuse: every callback refused after authentication is kept as a dead letter
 * (src/dead-letters/), so nothing a provider sent is silently dropped; then the answer a refusal
 * gets. Records a body carries are bounded: more than {@link MAX_EVENTS_PER_CALLBACK} is refused
 * whole rather than half-stored.
 */
import type { Logger } from '../logger';
import { DeadLetterNotKeptError, type DeadLetterRecorder } from '../dead-letters/recorder';
import type { RefusedCallback } from '../dead-letters/letter';
import { StartLimitedError, type StartBudget } from '../temporal/start-budget';
import type { ParsedCallback } from '../providers/types';
import { HttpError } from './http-error';
import type { IngressMetrics } from './metrics';
import { startLimited, temporalUnavailable } from './unavailable';

/** Records one callback may carry (a provider may batch them); more is refused rather than half-stored. */
export const MAX_EVENTS_PER_CALLBACK = 500;

/** A refused callback's letter, as one step of a request knows it (the rest is filled in by `receive`). */
export type Refusal = Omit<RefusedCallback, 'provider' | 'receivedAt' | 'rawBody'>;

/** Keeps one refused callback's dead letter; throws the 503 a lost letter calls for. */
export type KeepLetter = (refused: RefusedCallback) => Promise<void>;

/**
 * A late, stale or unroutable event is answered 2xx (the provider must stop retrying), so its letter must be
 * kept first: when neither Temporal nor the inbox can, 503 makes the provider send it again.
 * Other refusals keep their 4xx whatever happens to the letter, except past the start bound:
 * then 503 too, and the provider's retry finds a token (nothing refused is lost unkept).
 */
export function letterKeeper(deps: {
  deadLetters?: DeadLetterRecorder;
  metrics: IngressMetrics;
  starts: StartBudget;
  logger: Logger;
}): KeepLetter {
  return async (refused) => {
    deps.metrics.events.inc({ provider: refused.provider, result: `dead_letter_${refused.reason}` });
    if (!deps.deadLetters) return;
    try {
      // A letter is a workflow too: within the same start bound as verifications.
      await deps.deadLetters.record(refused, deps.starts);
    } catch (err) {
      if (err instanceof StartLimitedError) throw startLimited(err.retryAfterSeconds);
      deps.logger.error('dead letter not kept', { provider: refused.provider, reason: refused.reason });
      const answeredOk = ['late', 'late_verdict', 'stale', 'unroutable'].includes(refused.reason);
      if (answeredOk && err instanceof DeadLetterNotKeptError) throw temporalUnavailable();
    }
  };
}

/** The 413 of a body with more records than one callback may carry. */
export function tooManyRecords(): HttpError {
  return new HttpError(413, 'too_many_records', `a callback may carry at most ${MAX_EVENTS_PER_CALLBACK} records`);
}

/**
 * What a parsed callback cannot deliver: records that failed the schema (kept, the rest go on),
 * a body none of whose records is usable (400), more events than one callback may carry (413).
 */
export async function refuseUnusable(
  parsed: ParsedCallback,
  refuse: (refusal: Refusal) => Promise<void>,
): Promise<void> {
  if (parsed.rejected.length > 0) await refuse({ reason: 'schema', issues: parsed.rejected });
  const joinOnly = (parsed.joinOnly ?? []).flat().length;
  if (parsed.events.length === 0 && joinOnly === 0 && parsed.rejected.length > 0) {
    throw new HttpError(400, 'invalid_callback', 'no record of the callback could be used', {
      issues: parsed.rejected,
    });
  }
  const total = parsed.events.length + (parsed.alsoIfExists?.length ?? 0) + joinOnly;
  if (total > MAX_EVENTS_PER_CALLBACK) {
    await refuse({
      reason: 'oversize',
      issues: [{ path: '', message: `${total} records; at most ${MAX_EVENTS_PER_CALLBACK} per callback` }],
      events: [...parsed.events, ...(parsed.joinOnly ?? []).flat()],
    });
    throw tooManyRecords();
  }
}
