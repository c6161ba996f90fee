/**
 * The one reducer: every change to a verification (a provider's callback or poll answer, the
 * app's registration, cancellation or refresh, a failed poll, the deadline, the end of its
 * lifetime, a notification) is a {@link VerificationChange} applied here. The workflow never
 * writes the state itself, so the invariants below hold for every kind of change.
 */
import {
  isTerminal,
  SEEN_LIMIT,
  statusRank,
  TIMELINE_LIMIT,
  type AppRegistration,
  type ReduceOutcome,
  type Status,
  type TimelineEntry,
  type TimelineOutcome,
  type VerificationEvent,
  type VerificationState,
  type PollResult,
  type VerificationPolicy,
} from './model';
import type { SignalName } from './incoming';
import { inferredEnd, isVerdict, LATE_VERDICT } from './late-verdict';
import {
  afterCallback,
  afterScheduledPoll,
  expiryCheckDelayFor,
  FETCH_RETRY_AFTER_PERMANENT_FAILURE_MS,
  isoAt,
  judgeDeadline,
  postponeDelayMs,
} from './waiting';

/** Why the workflow asked the provider: its schedule (or an operator's refresh), or a result a callback announced. */
export type PollPurpose = 'schedule' | 'announced';

export type VerificationChange =
  /** A provider's callback. */
  | { kind: 'callback'; event: VerificationEvent }
  /** The app started (or registered) the verification, possibly after callbacks already started it. */
  | { kind: 'registered'; registration: AppRegistration }
  /** The app cancelled; `reason` is a short code. */
  | { kind: 'cancel-requested'; reason?: string }
  /** An operator asked to poll now, outside the schedule. */
  | { kind: 'refresh-requested' }
  /** A poll of the provider came back. */
  | { kind: 'polled'; purpose: PollPurpose; result: PollResult }
  /** The deadline was reached; `check` is the confirming poll (absent while an announced result is being fetched). */
  | { kind: 'deadline-reached'; check?: PollResult }
  /** The maximum lifetime is over and the provider never settled the verification. */
  | { kind: 'lifetime-ended' }
  /** The app was told of the end (an HTTP notification, or a signal to its workflow). */
  | { kind: 'notified'; channel: 'webhook' | 'workflow'; delivered: boolean }
  /** A signal whose argument is not what the model defines; `problem` names the field, never its value. */
  | { kind: 'malformed'; signal: SignalName; problem: string };

/** The attention code of a malformed signal: something outside the ingress and the client is signalling. */
export const MALFORMED_SIGNAL = 'malformed_signal';

/** What a change needs besides the state: the clock, the policy, and a random source for jitter. */
export interface ReduceContext {
  now: string;
  policy: VerificationPolicy;
  random: () => number;
}

export interface Reduction {
  state: VerificationState;
  outcome: ReduceOutcome;
}

/**
 * Applies one change to a verification and says what it did. Pure and total: any change, in
 * any order, any number of times, gives a valid state.
 *
 * - a duplicate (same dedup key, or the very status we already hold) changes nothing;
 * - a terminal status never changes, and a status never moves to a lower rank (stale);
 * - among events of the same rank, the provider's later timestamp wins, so the end state does
 *   not depend on the order in which callbacks and polls arrived;
 * - a known word without a status is recorded; an unknown provider status is recorded as
 *   unknown; neither changes the status.
 */
export function reduce(state: VerificationState, change: VerificationChange, ctx: ReduceContext): Reduction {
  const { now, policy } = ctx;
  switch (change.kind) {
    case 'callback': {
      const reduction = applyEvent(state, change.event, now);
      return {
        ...reduction,
        state: {
          ...reduction.state,
          lastCallbackAt: now,
          wait: { ...afterCallback(reduction.state.wait, now, policy, ctx.random), providerAnswered: true },
        },
      };
    }
    case 'registered':
      return { state: register(state, change.registration, now, policy), outcome: 'applied' };
    case 'cancel-requested':
      return applyEvent(state, cancellation(state, change.reason), now);
    case 'refresh-requested': {
      const next = { ...state, wait: { ...state.wait, nextPollAt: now } };
      return { state: note(next, now, 'app', 'REFRESH_REQUESTED', 'recorded'), outcome: 'recorded' };
    }
    case 'polled': {
      // `polls` counts the fallback polls (and deadline checks), not the fetch of an announced result.
      const counted = { ...state, polls: state.polls + (change.purpose === 'schedule' ? 1 : 0) };
      const wait =
        change.purpose === 'schedule'
          ? afterScheduledPoll(counted.wait, now, policy, ctx.random)
          : announcedFetchDone(counted.wait, change.result, now);
      return applyPollResult({ ...counted, wait }, change.result, now);
    }
    case 'deadline-reached':
      return reachDeadline(state, change.check, now);
    case 'lifetime-ended':
      return applyEvent(state, timerEvent(state, 'MAX_LIFETIME_REACHED', 'max_lifetime_reached'), now);
    case 'notified': {
      const word = change.channel === 'webhook' ? 'APP_NOTIFIED' : 'APP_WORKFLOW_SIGNALLED';
      const detail = change.delivered ? undefined : 'not_delivered';
      return { state: note(state, now, 'app', word, 'recorded', detail), outcome: 'recorded' };
    }
    case 'malformed': {
      // Recorded under the signal's name and changing nothing else; a human looks at who sent it.
      const flagged = { ...state, attention: withAttention(state.attention, MALFORMED_SIGNAL) };
      const source = change.signal === 'providerEvent' ? 'callback' : 'app';
      const detail = `${change.problem} ${MALFORMED_SIGNAL}`;
      return {
        state: note(flagged, now, source, change.signal, 'ignored-malformed', detail),
        outcome: 'ignored-malformed',
      };
    }
  }
}

/** A provider event (a callback, a poll's answer, our own timer, the app's cancellation) moves the status. */
function applyEvent(state: VerificationState, event: VerificationEvent, now: string): Reduction {
  const outcome = classify(state, event);
  const next: VerificationState = {
    ...state,
    updatedAt: now,
    context: event.context ? withEventContext(state, event.context) : state.context,
    seen: state.seen.includes(event.dedupKey) ? state.seen : appendBounded(state.seen, event.dedupKey, SEEN_LIMIT),
    attention: withAttention(state.attention, outcome === 'duplicate' ? undefined : attentionFor(state, event)),
  };
  if (outcome === 'applied') applyStatus(next, event, now);
  if (event.meaning.retrieve && !isTerminal(next.status) && outcome !== 'duplicate') {
    next.wait = { ...next.wait, resultAnnounced: true, fetchRetryAt: undefined };
  }
  return { state: withTimeline(next, entryFor(next, event, outcome, now)), outcome };
}

/**
 * A provider's identifiers (an account ID, an execution URL) follow its latest word, so a first
 * callback cannot pin them for good; what the app registered is never replaced.
 */
function withEventContext(state: VerificationState, context: Record<string, string>): Record<string, string> {
  const fromProvider = Object.entries(context).filter(([key]) => !state.appContextKeys?.includes(key));
  // Own properties only, whatever the keys (fromEntries defines, never assigns through a prototype).
  return Object.fromEntries([...Object.entries(state.context), ...fromProvider]);
}

/** What needs a human: the provider's own flag, or its verdict after our timer had closed the verification. */
function attentionFor(state: VerificationState, event: VerificationEvent): string | undefined {
  if (isTerminal(state.status) && inferredEnd(state) && isVerdict(event, state.status)) return LATE_VERDICT;
  return event.meaning.attention;
}

function classify(state: VerificationState, event: VerificationEvent): ReduceOutcome {
  if (state.seen.includes(event.dedupKey)) return 'duplicate';
  const status = event.meaning.status;
  if (!status) return event.meaning.retrieve || event.meaning.informational ? 'recorded' : 'ignored-unknown';
  if (isTerminal(state.status)) return 'stale';
  const order = compareProgress(
    { status, at: event.occurredAt, providerStatus: event.providerStatus },
    { status: state.status, at: state.providerStatusAt, providerStatus: state.providerStatus },
  );
  if (order < 0) return 'stale';
  if (order === 0) return 'duplicate';
  return 'applied';
}

interface Progress {
  status: Status;
  at: string | undefined;
  providerStatus: string | undefined;
}

/** Orders by canonical rank, then provider timestamp, then the raw status word (a deterministic tie-break). */
function compareProgress(a: Progress, b: Progress): number {
  const rank = statusRank(a.status) - statusRank(b.status);
  if (rank !== 0) return rank;
  if (isTerminal(a.status)) return 0;
  const at = compareOptional(a.at, b.at);
  if (at !== 0) return at;
  return compareOptional(a.providerStatus, b.providerStatus);
}

function compareOptional(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

function applyStatus(next: VerificationState, event: VerificationEvent, now: string): void {
  const status = event.meaning.status as Status;
  next.status = status;
  next.providerStatus = event.providerStatus;
  next.providerStatusAt = event.occurredAt;
  if (status === 'COMPLETED') next.decision = event.meaning.decision;
  if (isTerminal(status)) next.completedAt = now;
}

/** The app knows its own verification best: its context wins over what callbacks inferred. */
function register(
  state: VerificationState,
  registration: AppRegistration,
  now: string,
  policy: VerificationPolicy,
): VerificationState {
  const next: VerificationState = { ...state, registeredByApp: true, updatedAt: now };
  if (registration.customerReference) next.customerReference = registration.customerReference;
  if (registration.context) {
    next.context = { ...state.context, ...registration.context };
    next.appContextKeys = [...new Set([...(state.appContextKeys ?? []), ...Object.keys(registration.context)])];
  }
  if (registration.notifyWorkflowId) next.notifyWorkflowId = registration.notifyWorkflowId;
  // A signal is untyped on the wire: an unreadable date must not become a NaN timer.
  const expiresAt = registration.expiresAt ? Date.parse(registration.expiresAt) : NaN;
  if (!Number.isNaN(expiresAt) && !isTerminal(state.status)) {
    next.expiresAt = isoAt(expiresAt);
    const delay = expiryCheckDelayFor(state.wait, policy, state.createdAt, state.expiresAt, next.expiresAt);
    if (delay !== undefined) next.wait = { ...state.wait, expiryCheckDelayMs: delay };
  }
  return next;
}

function cancellation(state: VerificationState, reason: string | undefined): VerificationEvent {
  const event: VerificationEvent = {
    provider: state.provider,
    reference: state.reference,
    providerStatus: 'CANCELLED_BY_APP',
    source: 'app',
    dedupKey: 'app:cancel',
    meaning: { status: 'CANCELLED' },
  };
  // Only a short code is kept (the client enforces it): free text could carry personal data.
  if (reason && /^[A-Za-z0-9_.-]{1,64}$/.test(reason)) event.detail = reason;
  return event;
}

/** Our own timer's verdict: EXPIRED, with the word that says why. */
function timerEvent(state: VerificationState, providerStatus: string, attention?: string): VerificationEvent {
  return {
    provider: state.provider,
    reference: state.reference,
    providerStatus,
    source: 'timer',
    dedupKey: `timer:${providerStatus}`,
    meaning: { status: 'EXPIRED', ...(attention ? { attention } : {}) },
  };
}

function applyPollResult(state: VerificationState, result: PollResult, now: string): Reduction {
  if ('failure' in result) {
    return { state: note(state, now, 'poll', result.failure, 'poll-failed'), outcome: 'recorded' };
  }
  const reduction = applyEvent(state, result.answer, now);
  return { ...reduction, state: { ...reduction.state, wait: { ...reduction.state.wait, providerAnswered: true } } };
}

/**
 * The announced-result fetch retries every transient failure itself; one that still fails is
 * permanent (configuration, a broken answer). The announcement stands, so the deadline will not
 * expire the verification; the fetch is tried again later, while fallback polling goes on.
 * An answer in a word no vocabulary maps (the unknown-word rule) is the provider's answer all the
 * same: it is applied and the fetch is done, so asking again at once cannot repeat it without end;
 * the fallback polls go on. (Only answers that name an unknown word carry `unknownWord`, so
 * recorded histories replay unchanged.)
 */
function announcedFetchDone(wait: VerificationState['wait'], result: PollResult, now: string) {
  if (!('failure' in result)) {
    if (result.answer.meaning.unknownWord === undefined) return wait;
    return { ...wait, resultAnnounced: false, fetchRetryAt: undefined };
  }
  return { ...wait, fetchRetryAt: isoAt(Date.parse(now) + FETCH_RETRY_AFTER_PERMANENT_FAILURE_MS) };
}

/** The deadline: apply what the confirming poll found, then expire or postpone as the waiting rules say. */
function reachDeadline(state: VerificationState, check: PollResult | undefined, now: string): Reduction {
  const verdict = judgeDeadline(check, state.wait);
  const checked = check ? applyPollResult({ ...state, polls: state.polls + 1 }, check, now) : undefined;
  const after = checked?.state ?? state;
  if (isTerminal(after.status)) return checked ?? { state: after, outcome: 'stale' };
  if (verdict.expire) return applyEvent(after, timerEvent(after, 'EXPIRY_REACHED'), now);
  const expiryChecks = after.wait.expiryChecks + 1;
  const postponed: VerificationState = {
    ...after,
    attention: withAttention(after.attention, verdict.attention),
    wait: {
      ...after.wait,
      expiryChecks,
      nextExpiryCheckAt: isoAt(Date.parse(now) + postponeDelayMs(after.wait.expiryChecks)),
    },
  };
  return {
    state: note(postponed, now, 'timer', 'EXPIRY_POSTPONED', 'postponed', verdict.attention),
    outcome: 'recorded',
  };
}

function entryFor(
  state: VerificationState,
  event: VerificationEvent,
  outcome: ReduceOutcome,
  now: string,
): TimelineEntry {
  const entry: TimelineEntry = {
    at: now,
    source: event.source,
    providerStatus: event.providerStatus,
    outcome,
    status: state.status,
  };
  if (event.occurredAt) entry.occurredAt = event.occurredAt;
  if (state.decision) entry.decision = state.decision;
  // Both the provider's own label and the attention code, so neither hides the other.
  const detail = [event.detail, event.meaning.attention].filter(Boolean).join(' ');
  if (detail) entry.detail = detail;
  return entry;
}

/** A timeline entry for something that is not a provider status (a failed poll, a postponement, a notification). */
function note(
  state: VerificationState,
  now: string,
  source: TimelineEntry['source'],
  providerStatus: string,
  outcome: TimelineOutcome,
  detail?: string,
): VerificationState {
  const entry: TimelineEntry = { at: now, source, providerStatus, outcome, status: state.status };
  if (state.decision) entry.decision = state.decision;
  if (detail) entry.detail = detail;
  return withTimeline({ ...state, updatedAt: now }, entry);
}

/** Appends a timeline entry, dropping the oldest beyond the limit so the state (and history) stays bounded. */
function withTimeline(state: VerificationState, entry: TimelineEntry): VerificationState {
  const timeline = [...state.timeline, entry];
  const overflow = Math.max(0, timeline.length - TIMELINE_LIMIT);
  return {
    ...state,
    timeline: overflow ? timeline.slice(overflow) : timeline,
    timelineDropped: state.timelineDropped + overflow,
  };
}

function withAttention(attention: string[], code: string | undefined): string[] {
  return code && !attention.includes(code) ? [...attention, code].slice(-20) : attention;
}

function appendBounded<T>(items: T[], item: T, limit: number): T[] {
  const next = [...items, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
