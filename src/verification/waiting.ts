/**
 * The waiting rules of a verification: when to ask the provider next, and what the deadline
 * decides. Pure functions of the wait's progress, the policy, the clock and (for jitter) a
 * random source that the caller passes in, so they are tested without Temporal and the
 * workflow stays deterministic (its `Math.random` is seeded by Temporal).
 */
import type { PollResult, VerificationPolicy, WaitProgress } from './model';
import { ProviderFailure } from './provider-failure';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * A verification starts waiting: the first poll after the (jittered) grace, the deadline
 * check's delay drawn once. `random` is only called when the policy asks for jitter.
 */
export function startWaiting(now: string, policy: VerificationPolicy, random: () => number): WaitProgress {
  const spreadMs = expiryCheckSpreadMs(policy, policy.expiresAfterMs);
  return {
    quietSince: now,
    pollAttempt: 0,
    nextPollAt: isoAt(Date.parse(now) + graceWithJitter(policy, random)),
    resultAnnounced: false,
    providerAnswered: false,
    expiryChecks: 0,
    ...(spreadMs > 0 ? { expiryCheckDelayMs: Math.floor(random() * spreadMs) } : {}),
  };
}

/** A callback shows the provider is talking to us: fallback polling waits for the next silence. */
export function afterCallback(
  wait: WaitProgress,
  now: string,
  policy: VerificationPolicy,
  random: () => number,
): WaitProgress {
  const nextPollAt = isoAt(Date.parse(now) + graceWithJitter(policy, random));
  return { ...wait, quietSince: now, pollAttempt: 0, nextPollAt };
}

/** The grace, lengthened by up to the policy's jitter share: a minimum, never shortened. */
function graceWithJitter(policy: VerificationPolicy, random: () => number): number {
  const share = policy.firstPollJitter ?? 0;
  return share > 0 ? Math.floor(policy.callbackGraceMs * (1 + random() * share)) : policy.callbackGraceMs;
}

/** The widest spread of deadline checks for a lifetime: the policy's, and at most 10 % of the lifetime. */
function expiryCheckSpreadMs(policy: VerificationPolicy, lifetimeMs: number): number {
  return Math.max(0, Math.min(policy.expiryCheckSpreadMs ?? 0, lifetimeMs * 0.1));
}

/**
 * The app set another deadline: the check's delay keeps its share of the spread, now of the new
 * lifetime, so a short deadline the app gives is not checked minutes late.
 */
export function expiryCheckDelayFor(
  wait: WaitProgress,
  policy: VerificationPolicy,
  createdAt: string,
  oldExpiresAt: string,
  newExpiresAt: string,
): number | undefined {
  if (wait.expiryCheckDelayMs === undefined) return undefined;
  const created = Date.parse(createdAt);
  const oldSpread = expiryCheckSpreadMs(policy, Date.parse(oldExpiresAt) - created);
  const newSpread = expiryCheckSpreadMs(policy, Date.parse(newExpiresAt) - created);
  const share = oldSpread > 0 ? Math.min(wait.expiryCheckDelayMs / oldSpread, 1) : 0;
  return Math.floor(share * newSpread);
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

/**
 * When the deadline is (next) checked: the expiry plus the verification's own delay (so many
 * deadlines in one second are not all checked in that second), or later when a check was postponed.
 */
export function deadlineCheckAt(expiresAt: string, wait: WaitProgress): number {
  const later = wait.nextExpiryCheckAt ? Date.parse(wait.nextExpiryCheckAt) : 0;
  return Math.max(Date.parse(expiresAt) + (wait.expiryCheckDelayMs ?? 0), later);
}

/**
 * A random source drawn from a key (FNV-1a, then mulberry32): the same key gives the same
 * numbers, so jitter computed from a verification's own identity is the same in every replay.
 */
export function seededRandom(key: string): () => number {
  let seed = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) seed = Math.imul(seed ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The latest a verification stays open: its maximum lifetime, and never less than a day past its
 * deadline; while a provisional decision is held, never less than a day past its review window
 * (`reviewEndsAt`), so the lifetime cannot close as EXPIRED what the review window closes with
 * the provider's decision.
 */
export function lifetimeEndsAt(
  createdAt: string,
  expiresAt: string,
  policy: VerificationPolicy,
  reviewEndsAt?: string,
): number {
  const review = reviewEndsAt ? Date.parse(reviewEndsAt) + DAY_MS : 0;
  return Math.max(Date.parse(createdAt) + policy.maxLifetimeMs, Date.parse(expiresAt) + DAY_MS, review);
}

/** A provisional decision waits this long for the final one when the policy names no review window. */
export const DEFAULT_REVIEW_WINDOW_MS = 30 * DAY_MS;

/** When the review window of a provisional decision first applied at `since` ends. */
export function reviewEndsAt(since: string, policy: VerificationPolicy): string {
  return isoAt(Date.parse(since) + (policy.reviewWindowMs ?? DEFAULT_REVIEW_WINDOW_MS));
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
 * postpones: an outage, our own misconfiguration, a result still pending, a word we do not know
 * (one the unknown-word rule applied as ACTION_REQUIRED raises attention `unknown_word`: the
 * provider may have decided in a word we cannot read, so only the lifetime ends it).
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
  if (meaning.unknownWord !== undefined) return { expire: false, attention: 'unknown_word' };
  const known = meaning.status !== undefined || meaning.informational === true;
  return known && !meaning.retrieve ? { expire: true } : { expire: false };
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** What a query sees in the instant before the worker's policy is known: a pending verification. */
export const POLICY_NOT_READ_YET: VerificationPolicy = {
  callbackGraceMs: 0,
  pollScheduleMs: [],
  expiresAfterMs: 0,
  maxLifetimeMs: 0,
  maxHistoryEvents: 0,
  retrievalRetryInitialMs: 0,
  retrievalRetryMaximumMs: 0,
  notify: false,
};

/**
 * When a waiting verification next needs its workflow, an arrival aside: its lifetime's end; the
 * deadline check, unless a provisional decision is held (its review window is timed instead) or a
 * call is in flight whose answer wakes it anyway (with an announced result the deadline only
 * postpones, so it is timed); and with no call in flight, the next poll, the review window's end,
 * and an announced result's fetch (at its retry time, else now: a run continued as new cancelled it).
 */
export function nextWakeAt(
  wait: WaitProgress,
  expiresAt: string,
  at: { now: number; lifetimeEnd: number; callInFlight: boolean; reviewEndsAt: string | undefined },
): number {
  const due = [at.lifetimeEnd];
  const { reviewEndsAt } = at;
  if (!reviewEndsAt && (!at.callInFlight || wait.resultAnnounced)) due.push(deadlineCheckAt(expiresAt, wait));
  if (!at.callInFlight) {
    due.push(Date.parse(wait.nextPollAt));
    if (reviewEndsAt) due.push(Date.parse(reviewEndsAt));
    if (wait.resultAnnounced) due.push(wait.fetchRetryAt ? Date.parse(wait.fetchRetryAt) : at.now);
  }
  return Math.min(...due);
}

/**
 * Whether a run should hand its state to a fresh one: Temporal suggests it, or its history reached
 * the limit. A provider call in flight gets room to settle (twice the limit), so every run makes
 * progress: without it, a run that continued as new mid-fetch could pass the limit again before
 * its own fetch settled, and hand the same unfinished fetch on from run to run.
 */
export function historyIsLong(
  history: { continueAsNewSuggested: boolean; historyLength: number },
  callInFlight: boolean,
  maxHistoryEvents: number,
): boolean {
  const limit = callInFlight ? 2 * maxHistoryEvents : maxHistoryEvents;
  return history.continueAsNewSuggested || history.historyLength >= limit;
}
