import {
  isTerminal,
  SEEN_LIMIT,
  statusRank,
  TIMELINE_LIMIT,
  type ReduceOutcome,
  type Status,
  type TimelineEntry,
  type VerificationEvent,
  type VerificationState,
} from './model';

export interface Reduction {
  state: VerificationState;
  outcome: ReduceOutcome;
}

/**
 * Applies one event to a verification and says what it did. Pure and total: any event, in any
 * order, any number of times, gives a valid state.
 *
 * - a duplicate (same dedup key, or the very status we already hold) changes nothing;
 * - a terminal status never changes, and a status never moves to a lower rank (stale);
 * - among events of the same rank, the provider's later timestamp wins, so the end state does
 *   not depend on the order in which callbacks and polls arrived;
 * - a known word without a status is recorded; an unknown provider status is recorded as
 *   unknown; neither changes anything.
 */
export function reduce(state: VerificationState, event: VerificationEvent, now: string): Reduction {
  const outcome = classify(state, event);
  const next: VerificationState = {
    ...state,
    updatedAt: now,
    context: event.context ? { ...event.context, ...state.context } : state.context,
    seen: state.seen.includes(event.dedupKey) ? state.seen : appendBounded(state.seen, event.dedupKey, SEEN_LIMIT),
  };
  if (outcome === 'applied') applyStatus(next, event, now);
  return { state: withTimeline(next, entryFor(next, event, outcome, now)), outcome };
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
  if (event.detail) entry.detail = event.detail;
  return entry;
}

/** Appends a timeline entry, dropping the oldest beyond the limit so the state (and history) stays bounded. */
export function withTimeline(state: VerificationState, entry: TimelineEntry): VerificationState {
  const timeline = [...state.timeline, entry];
  const overflow = Math.max(0, timeline.length - TIMELINE_LIMIT);
  return {
    ...state,
    timeline: overflow ? timeline.slice(overflow) : timeline,
    timelineDropped: state.timelineDropped + overflow,
  };
}

function appendBounded<T>(items: T[], item: T, limit: number): T[] {
  const next = [...items, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
