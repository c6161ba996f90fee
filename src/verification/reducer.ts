/**
 * The one reducer: every change to a verification (a provider's callback or poll answer, the
 * app's registration, cancellation or refresh, a failed poll, the deadline, the end of its
 * lifetime, a notification) is a {@link VerificationChange} applied here. The workflow never
 * writes the state itself, so the invariants below hold for every kind of change.
 */
import {
  DECISIONS_LIMIT,
  isTerminal,
  SEEN_LIMIT,
  statusRank,
  TIMELINE_LIMIT,
  type AppRegistration,
  type ReduceOutcome,
  type Status,
  type TerminalStatus,
  type Awaiting,
  type DecisionRecord,
  type HeldClaim,
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
  reviewEndsAt,
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
  /**
   * A provisional decision's review window ran out; `check` is the last look at the provider
   * (absent when none could be made). Closes with the provisional decision, unless the look found the final one.
   */
  | { kind: 'review-window-ended'; check?: PollResult }
  /**
   * The app was told (an HTTP notification, or a signal to its workflow): of the end, or, with
   * `provisional`, of the provisional decision with that index.
   */
  | { kind: 'notified'; channel: 'webhook' | 'workflow'; delivered: boolean; provisional?: number }
  /** A signal whose argument is not what the model defines; `problem` names the field, never its value. */
  | { kind: 'malformed'; signal: SignalName; problem: string };

/** The attention code of a malformed signal: something outside the ingress and the client is signalling. */
export const MALFORMED_SIGNAL = 'malformed_signal';

/**
 * Rules that a workflow patch turns on, so runs that started before it replay as they ran
 * (src/workflows/verification.ts). Absent: all off.
 */
export interface ReduceRules {
  /**
   * Patch `kyc-provisional`: a provider decision that will be revisited (`meaning.provisional`) is
   * held as a provisional decision (ACTION_REQUIRED) until the final one or the end of its review
   * window; every end records `decisionFinal` and the decision history. Off: it ends the verification.
   */
  provisional?: boolean;
}

/** What a change needs besides the state: the clock, the policy, a random source for jitter, and the rules in force. */
export interface ReduceContext {
  now: string;
  policy: VerificationPolicy;
  random: () => number;
  rules?: ReduceRules;
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
      const reduction = applyEvent(state, change.event, ctx);
      const wait = { ...afterCallback(reduction.state.wait, now, policy, ctx.random), providerAnswered: true };
      // A claim just recorded is put to the provider's API at once, not after the grace.
      if (reduction.outcome === 'recorded' && isClaim(change.event, ctx)) wait.nextPollAt = now;
      return { ...reduction, state: { ...reduction.state, lastCallbackAt: now, wait } };
    }
    case 'registered':
      return { state: register(state, change.registration, now, policy), outcome: 'applied' };
    case 'cancel-requested':
      return applyEvent(state, cancellation(state, change.reason), ctx);
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
      return applyPollResult({ ...counted, wait }, change.result, ctx);
    }
    case 'deadline-reached':
      return reachDeadline(state, change.check, ctx);
    case 'lifetime-ended':
      return applyEvent(state, timerEvent(state, 'MAX_LIFETIME_REACHED', 'max_lifetime_reached'), ctx);
    case 'review-window-ended':
      return endReviewWindow(state, change.check, ctx);
    case 'notified': {
      const word = change.channel === 'webhook' ? 'APP_NOTIFIED' : 'APP_WORKFLOW_SIGNALLED';
      const provisional = change.provisional;
      const detail = [
        provisional !== undefined ? `provisional:${provisional}` : '',
        change.delivered ? '' : 'not_delivered',
      ]
        .filter(Boolean)
        .join(' ');
      const told =
        provisional === undefined
          ? state
          : { ...state, told: { provisional: Math.max(state.told?.provisional ?? 0, provisional + 1) } };
      return { state: note(told, now, 'app', word, 'recorded', detail || undefined), outcome: 'recorded' };
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
function applyEvent(state: VerificationState, given: VerificationEvent, ctx: ReduceContext): Reduction {
  const { now } = ctx;
  // Runs started before claims existed apply a claimed outcome as they applied it then: at once.
  const event = given.meaning.claim && !ctx.rules?.provisional ? claimedAsStatus(given) : given;
  const provisional = ctx.rules?.provisional === true && isProvisional(event);
  const claiming = isClaim(event, ctx);
  const outcome = claiming ? classifyClaim(state, event) : classify(state, event, provisional);
  const next: VerificationState = {
    ...state,
    updatedAt: now,
    context: event.context ? withEventContext(state, event.context) : state.context,
    seen: state.seen.includes(event.dedupKey) ? state.seen : appendBounded(state.seen, event.dedupKey, SEEN_LIMIT),
    attention: withAttention(state.attention, outcome === 'duplicate' ? undefined : attentionFor(state, event)),
  };
  if (outcome === 'recorded' && claiming) next.claim = heldClaim(event, now);
  if (outcome === 'applied' && provisional) holdProvisional(next, event, ctx);
  else if (outcome === 'applied') applyStatus(next, event, now);
  if (outcome === 'applied' && ctx.rules?.provisional && isTerminal(next.status)) recordEnd(next, event, now);
  if (event.meaning.retrieve && !isTerminal(next.status) && outcome !== 'duplicate') {
    next.wait = { ...next.wait, resultAnnounced: true, fetchRetryAt: undefined };
  }
  const held = outcome === 'applied' && provisional;
  return { state: withTimeline(next, entryFor(next, event, outcome, now, held)), outcome };
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
  if (isTerminal(state.status) && inferredEnd(state) && isVerdict(event, state)) return LATE_VERDICT;
  return event.meaning.attention;
}

function classify(state: VerificationState, event: VerificationEvent, provisional: boolean): ReduceOutcome {
  if (state.seen.includes(event.dedupKey)) return 'duplicate';
  // A provisional decision ranks as what it is to us: a verification that still needs someone.
  const status = provisional ? 'ACTION_REQUIRED' : event.meaning.status;
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

/** A provider decision it will revisit: a terminal status it gave, marked provisional. */
function isProvisional(event: VerificationEvent): boolean {
  const { status, provisional } = event.meaning;
  return provisional !== undefined && status !== undefined && isTerminal(status) && event.source !== 'timer';
}

const PROVISIONAL_ATTENTION: Record<Awaiting, string> = {
  provider_review: 'provider_review',
  user_resubmission: 'awaiting_resubmission',
  outcome_confirmation: 'outcome_unclear',
};

/**
 * Holds a provisional decision: the verification stays open (ACTION_REQUIRED) with the provider's
 * word kept in `provisional`, its review window counted from the first provisional decision (so
 * decisions that go back and forth cannot extend it), and the decision in the history.
 */
function holdProvisional(next: VerificationState, event: VerificationEvent, ctx: ReduceContext): void {
  const { now } = ctx;
  const meaning = event.meaning;
  const awaiting = meaning.provisional!.awaiting;
  const held = next.provisional;
  next.status = 'ACTION_REQUIRED';
  next.providerStatus = event.providerStatus;
  next.providerStatusAt = event.occurredAt;
  next.provisional = {
    status: meaning.status as TerminalStatus,
    ...(meaning.decision ? { decision: meaning.decision } : {}),
    providerStatus: event.providerStatus,
    awaiting,
    index: held ? held.index + 1 : 0,
    since: now,
    ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
    reviewEndsAt: held?.reviewEndsAt ?? reviewEndsAt(now, ctx.policy),
  };
  next.attention = withAttention(next.attention, PROVISIONAL_ATTENTION[awaiting]);
  next.decisions = withDecision(next.decisions, decisionRecord(event, now, false));
}

/**
 * Every end says whether it is final: the provider's and the app's are, our own timer's (the
 * deadline, the lifetime, the end of a review window) are not. A provider's end goes into the
 * decision history; the provisional decision it replaces stays there and in the timeline.
 */
function recordEnd(next: VerificationState, event: VerificationEvent, now: string): void {
  next.decisionFinal = event.source !== 'timer';
  if (event.source === 'callback' || event.source === 'poll') {
    next.decisions = withDecision(next.decisions, decisionRecord(event, now, true));
  }
  if (event.source !== 'timer') {
    delete next.provisional;
    delete next.claim;
  }
}

/**
 * A terminal outcome claimed by a callback whose only protection is a static secret: held, not
 * applied, until the provider's API answers (src/providers/common.ts, `confirmThroughApi`).
 */
function isClaim(event: VerificationEvent, ctx: ReduceContext): boolean {
  return ctx.rules?.provisional === true && event.meaning.claim !== undefined && event.meaning.status === undefined;
}

function claimedAsStatus(event: VerificationEvent): VerificationEvent {
  const { claim, ...meaning } = event.meaning;
  const decision = claim!.decision ? { decision: claim!.decision } : {};
  return { ...event, meaning: { ...meaning, status: claim!.status, ...decision } };
}

/** A claim is recorded while the verification is open; after its end it changes nothing. */
function classifyClaim(state: VerificationState, event: VerificationEvent): ReduceOutcome {
  if (state.seen.includes(event.dedupKey)) return 'duplicate';
  return isTerminal(state.status) ? 'stale' : 'recorded';
}

function heldClaim(event: VerificationEvent, now: string): HeldClaim {
  const claim: HeldClaim = { status: event.meaning.claim!.status, providerStatus: event.providerStatus, at: now };
  if (event.meaning.claim!.decision) claim.decision = event.meaning.claim!.decision;
  if (event.occurredAt) claim.occurredAt = event.occurredAt;
  return claim;
}

/** The attention code of a claim the provider's API contradicted (it says the verification goes on). */
export const CLAIM_CONTRADICTED = 'claim_contradicted';

/**
 * What the provider's API says of a held claim. A terminal answer was applied as the verdict
 * already. An answer that says the session is over without saying how (a result found by
 * polling that the provider also serves for failed flows) confirms it: the claimed outcome is applied, final. A known status short of an end
 * contradicts it: it is dropped, and a human looks. Anything else (no answer, an unknown word, an
 * answer that holds no stage) leaves it held: the deadline applies it, not final.
 */
function judgeClaim(reduction: Reduction, answer: VerificationEvent, ctx: ReduceContext): Reduction {
  const { state } = reduction;
  const claim = state.claim;
  if (!claim || isTerminal(state.status) || !ctx.rules?.provisional) return reduction;
  const { meaning } = answer;
  if (meaning.provisional?.awaiting === 'outcome_confirmation') {
    const confirmed: VerificationEvent = {
      provider: state.provider,
      reference: state.reference,
      providerStatus: claim.providerStatus,
      source: 'callback',
      dedupKey: `claim-confirmed:${claim.providerStatus}`,
      meaning: { status: claim.status, ...(claim.decision ? { decision: claim.decision } : {}) },
      detail: `confirmed_by:${answer.providerStatus}`,
      ...(claim.occurredAt ? { occurredAt: claim.occurredAt } : {}),
    };
    return applyEvent(state, confirmed, ctx);
  }
  const contradicts =
    meaning.status !== undefined && !isTerminal(meaning.status) && !meaning.provisional && !meaning.unknownWord;
  if (!contradicts) return reduction;
  const { claim: _dropped, ...rest } = state;
  const flagged = { ...rest, attention: withAttention(state.attention, CLAIM_CONTRADICTED) };
  const detail = `${claim.providerStatus} ${CLAIM_CONTRADICTED}`;
  return {
    state: note(flagged, ctx.now, 'poll', 'CLAIM_CONTRADICTED', 'recorded', detail),
    outcome: reduction.outcome,
  };
}

function decisionRecord(event: VerificationEvent, now: string, final: boolean): DecisionRecord {
  const record: DecisionRecord = {
    status: event.meaning.status!,
    providerStatus: event.providerStatus,
    source: event.source,
    at: now,
    final,
  };
  if (event.meaning.decision) record.decision = event.meaning.decision;
  if (event.occurredAt) record.occurredAt = event.occurredAt;
  return record;
}

function withDecision(decisions: DecisionRecord[] | undefined, record: DecisionRecord): DecisionRecord[] {
  return appendBounded(decisions ?? [], record, DECISIONS_LIMIT);
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

function applyPollResult(state: VerificationState, result: PollResult, ctx: ReduceContext): Reduction {
  if ('failure' in result) {
    return { state: note(state, ctx.now, 'poll', result.failure, 'poll-failed'), outcome: 'recorded' };
  }
  const reduction = judgeClaim(applyEvent(state, result.answer, ctx), result.answer, ctx);
  return { ...reduction, state: { ...reduction.state, wait: { ...reduction.state.wait, providerAnswered: true } } };
}

/**
 * The announced-result fetch retries every transient failure itself; one that still fails is
 * permanent (configuration, a broken answer). The announcement stands, so the deadline will not
 * expire the verification; the fetch is tried again later, while fallback polling goes on.
 * An answer in a word no vocabulary maps (the unknown-word rule) is the provider's answer all the
 * same: it is applied and the fetch is done, so asking again at once cannot repeat it without end;
 * the fallback polls go on. So is a provisional decision: the final one comes by callback or on the
 * poll schedule. (Only answers that name an unknown word carry `unknownWord`, and only provisional
 * ones `provisional`, so recorded histories replay unchanged.)
 */
function announcedFetchDone(wait: VerificationState['wait'], result: PollResult, now: string) {
  if (!('failure' in result)) {
    const { unknownWord, provisional } = result.answer.meaning;
    if (unknownWord === undefined && provisional === undefined) return wait;
    return { ...wait, resultAnnounced: false, fetchRetryAt: undefined };
  }
  return { ...wait, fetchRetryAt: isoAt(Date.parse(now) + FETCH_RETRY_AFTER_PERMANENT_FAILURE_MS) };
}

/**
 * The deadline: apply what the confirming poll found, then expire or postpone as the waiting rules
 * say. A provisional decision is not expired: its review window decides when it ends.
 */
function reachDeadline(state: VerificationState, check: PollResult | undefined, ctx: ReduceContext): Reduction {
  const { now } = ctx;
  const checked = check ? applyPollResult({ ...state, polls: state.polls + 1 }, check, ctx) : undefined;
  const after = checked?.state ?? state;
  if (isTerminal(after.status)) return checked ?? { state: after, outcome: 'stale' };
  const verdict =
    ctx.rules?.provisional && after.provisional ? { expire: false as const } : judgeDeadline(check, state.wait);
  // A claim the API never confirmed beats our own EXPIRED: applied, by our timer, not final.
  const claim = ctx.rules?.provisional && !after.provisional && !after.wait.resultAnnounced ? after.claim : undefined;
  if (claim) return applyEvent(after, unconfirmedClaim(after, claim), ctx);
  if (verdict.expire) return applyEvent(after, timerEvent(after, 'EXPIRY_REACHED'), ctx);
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

/** The deadline applies a claim the provider's API never confirmed: our timer's end, the claimed word in `detail`. */
function unconfirmedClaim(state: VerificationState, claim: HeldClaim): VerificationEvent {
  return {
    provider: state.provider,
    reference: state.reference,
    providerStatus: 'CLAIM_UNCONFIRMED',
    source: 'timer',
    dedupKey: 'timer:CLAIM_UNCONFIRMED',
    meaning: {
      status: claim.status,
      ...(claim.decision ? { decision: claim.decision } : {}),
      attention: 'claim_unconfirmed',
    },
    detail: claim.providerStatus,
  };
}

/**
 * The review window of a provisional decision ran out: after one last look at the provider (the
 * final decision may have been lost on its way), the verification closes with the provisional
 * decision, by our timer: not final, so a later decision of the provider is a late verdict.
 */
function endReviewWindow(state: VerificationState, check: PollResult | undefined, ctx: ReduceContext): Reduction {
  const checked = check ? applyPollResult({ ...state, polls: state.polls + 1 }, check, ctx) : undefined;
  const after = checked?.state ?? state;
  const held = after.provisional;
  if (isTerminal(after.status) || !held) return checked ?? { state: after, outcome: 'stale' };
  const end: VerificationEvent = {
    provider: after.provider,
    reference: after.reference,
    providerStatus: 'REVIEW_WINDOW_ENDED',
    source: 'timer',
    dedupKey: 'timer:REVIEW_WINDOW_ENDED',
    meaning: {
      status: held.status,
      ...(held.decision ? { decision: held.decision } : {}),
      attention: 'review_window_ended',
    },
    detail: held.providerStatus,
  };
  return applyEvent(after, end, ctx);
}

function entryFor(
  state: VerificationState,
  event: VerificationEvent,
  outcome: ReduceOutcome,
  now: string,
  held = false,
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
  // Both the provider's own label and the attention code, so neither hides the other; a
  // provisional decision held by this event is named too (the status says only ACTION_REQUIRED).
  const provisional = held ? `provisional:${state.provisional!.decision ?? state.provisional!.status}` : undefined;
  const detail = [event.detail, event.meaning.attention, provisional].filter(Boolean).join(' ');
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
