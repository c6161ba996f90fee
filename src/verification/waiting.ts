/**
 * The waiting rules of a verification: when to ask the provider next, and what the deadline
 * decides. Pure functions of the wait's progress, the policy, the clock and (for jitter) a
 * random source that the caller passes in, so they are tested without Temporal and the
 * workflow stays deterministic (its `Math.random` is seeded by Temporal).
 */
import { ProviderFailure } from '../providers/failure-types';
import type { VerificationEvent } from './model';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Timing of one provider's verifications, from the worker's configuration, fixed when the workflow starts. */
export interface VerificationPolicy {
  /** Silence after the last callback (or the start) before fallback polling begins. */
  callbackGraceMs: number;
  /** Delays between fallback polls; after the last one, one poll a day. */
  pollScheduleMs: number[];
  /** Lifetime when the app gives no expiry. */
  expiresAfterMs: number;
  /** After this long (and at least a day past the deadline) a verification the provider never settles is closed. */
  maxLifetimeMs: number;
  /** Continue-as-new once history passes this many events (the server's own suggestion also counts). */
  maxHistoryEvents: number;
  /** Backoff for fetching an announced result: first retry after this long, doubling up to the maximum. */
  retrievalRetryInitialMs: number;
  retrievalRetryMaximumMs: number;
  /** Push the verdict to the app (KYC_NOTIFY_URL) when the verification ends. */
  notify: boolean;
  /**
   * The task queue of the provider's rate-limited retrieval workers; absent: the workflow's own
   * queue (a worker that registers the activities itself, as in tests).
   */
  retrievalTaskQueue?: string;
}

/** Where the wait stands: carried in the verification's state, across continue-as-new too. */
export interface WaitProgress {
  /** Start of the current silence: the last callback, or the start. */
  quietSince: string;
  /** How many fallback polls were made in this silence. */
  pollAttempt: number;
  /** When the next fallback poll is due. */
  nextPollAt: string;
  /** A callback announced a result that still has to be fetched. */
  resultAnnounced: boolean;
  /** After a permanent failure to fetch the announced result, when to try again. */
  fetchRetryAt?: string;
  /** The provider has answered for this reference (a callback, or a poll that found it). */
  providerAnswered: boolean;
  /** How many deadline checks were postponed (drives their backoff). */
  expiryChecks: number;
  /** A later expiry check, after the provider could not confirm at the deadline. */
  nextExpiryCheckAt?: string;
}

/** What a poll of the provider brought back: its answer, or the failure type the activity classified. */
export type PollResult = { answer: VerificationEvent } | { failure: string };

export function startWaiting(now: string, policy: VerificationPolicy): WaitProgress {
  return {
    quietSince: now,
    pollAttempt: 0,
    nextPollAt: isoAt(Date.parse(now) + policy.callbackGraceMs),
    resultAnnounced: false,
    providerAnswered: false,
    expiryChecks: 0,
  };
}

/** A callback shows the provider is talking to us: fallback polling waits for the next silence. */
export function afterCallback(wait: WaitProgress, now: string, policy: VerificationPolicy): WaitProgress {
  return { ...wait, quietSince: now, pollAttempt: 0, nextPollAt: isoAt(Date.parse(now) + policy.callbackGraceMs) };
}

/**
 * After a scheduled poll: the schedule's next gap, then one a day, each with ±10 % jitter so
 * that verifications started together do not poll the provider in the same second.
 */
export function afterScheduledPoll(
  wait: WaitProgress,
  now: string,
  policy: VerificationPolicy,
  random: () => number,
): WaitProgress {
  const pollAttempt = wait.pollAttempt + 1;
  const gap = policy.pollScheduleMs[pollAttempt - 1] ?? DAY_MS;
  const jitter = (random() * 2 - 1) * gap * 0.1;
  return { ...wait, pollAttempt, nextPollAt: isoAt(Date.parse(now) + gap + jitter) };
}

/** Failed permanently (configuration, a broken answer): try the announced result again in an hour. */
export const FETCH_RETRY_AFTER_PERMANENT_FAILURE_MS = HOUR_MS;

/** When the deadline is (next) checked: the expiry, or later when a check was postponed. */
export function deadlineCheckAt(expiresAt: string, wait: WaitProgress): number {
  const later = wait.nextExpiryCheckAt ? Date.parse(wait.nextExpiryCheckAt) : 0;
  return Math.max(Date.parse(expiresAt), later);
}

/** The latest a verification stays open: its maximum lifetime, and never less than a day past its deadline. */
export function lifetimeEndsAt(createdAt: string, expiresAt: string, policy: VerificationPolicy): number {
  return Math.max(Date.parse(createdAt) + policy.maxLifetimeMs, Date.parse(expiresAt) + DAY_MS);
}

/** Postponed deadline checks back off: 5, 10, 20, 40 minutes, then hourly. */
export function postponeDelayMs(expiryChecks: number): number {
  return Math.min(5 * MINUTE_MS * 2 ** Math.min(expiryChecks, 4), HOUR_MS);
}

/** A 404 at the deadline expires only once confirmed this many times, unless the provider knew the reference. */
export const NOT_FOUND_CONFIRMATIONS = 3;

export type DeadlineVerdict = { expire: true } | { expire: false; attention?: string };

/**
 * What the deadline decides, given what the confirming poll found. EXPIRED only when the provider
 * answers with a word we know that holds no result, and never announced one. Anything else
 * postpones: an outage, our own misconfiguration, a result still pending, a word we do not know.
 * "Not found" is not "nothing happened": a wrong base URL or reference reads the same, so it
 * expires only when the provider has answered for this reference before, or after repeated checks.
 */
export function judgeDeadline(check: PollResult | undefined, wait: WaitProgress): DeadlineVerdict {
  if (wait.resultAnnounced || !check) return { expire: false };
  if ('failure' in check) {
    if (check.failure !== ProviderFailure.NotReady) return { expire: false };
    if (wait.providerAnswered || wait.expiryChecks + 1 >= NOT_FOUND_CONFIRMATIONS) return { expire: true };
    return { expire: false, attention: 'reference_unknown_to_provider' };
  }
  const { meaning } = check.answer;
  const known = meaning.status !== undefined || meaning.informational === true;
  return known && !meaning.retrieve ? { expire: true } : { expire: false };
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
