/**
 * The provider-neutral verification model. Pure TypeScript with no Temporal imports, so the
 * workflow, the ingress, the client and the tests all share one vocabulary.
 */

/**
 * The form of a provider's ID (`[a-z][a-z0-9]*`): the model and the workflow take any such ID; the
 * edges (ingress, client, configuration) check it is a registered one (src/providers/registry.ts).
 */
export function hasProviderIdForm(value: string): boolean {
  return /^[a-z][a-z0-9]*$/.test(value);
}

export const STATUSES = [
  'PENDING',
  'IN_PROGRESS',
  'SUBMITTED',
  'ACTION_REQUIRED',
  'COMPLETED',
  'EXPIRED',
  'FAILED',
  'ABANDONED',
  'CANCELLED',
] as const;
export type Status = (typeof STATUSES)[number];

export const TERMINAL_STATUSES = ['COMPLETED', 'EXPIRED', 'FAILED', 'ABANDONED', 'CANCELLED'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const DECISIONS = ['APPROVED', 'REJECTED', 'REVIEW', 'RESUBMIT'] as const;
export type Decision = (typeof DECISIONS)[number];

export function isTerminal(status: Status): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Progress order: a status never moves to a lower rank; every terminal shares the top rank. */
export function statusRank(status: Status): number {
  switch (status) {
    case 'PENDING':
      return 0;
    case 'IN_PROGRESS':
      return 1;
    case 'SUBMITTED':
      return 2;
    case 'ACTION_REQUIRED':
      return 3;
    default:
      return 4;
  }
}

/**
 * Where an event came from: a provider callback, our own poll of the provider's API, a workflow
 * timer (expiry), or the app (cancellation).
 */
export type EventSource = 'callback' | 'poll' | 'timer' | 'app';

/**
 * What a provider status means in canonical terms. The provider adapter decides this, in one
 * place per provider; the reducer only ever sees canonical meanings.
 */
export interface CanonicalMeaning {
  /** Undefined when the provider's status is not in our vocabulary (recorded, never fatal). */
  status?: Status;
  /** Only together with COMPLETED. */
  decision?: Decision;
  /** The event only announces that a result is ready; the verdict must be fetched from the provider's API. */
  retrieve?: boolean;
  /** A known provider word that deliberately changes no status (a session ended, say): recorded as such. */
  informational?: boolean;
  /**
   * A short machine code (e.g. `unknown_decision`) saying this answer needs a human. Kept on the
   * verification (`attention`) and in the timeline; it never changes the status by itself.
   */
  attention?: string;
  /**
   * The provider's word that no vocabulary maps (src/providers/common.ts, `unknownWord`), as kept:
   * such an answer asks a human, and the deadline never expires on it.
   */
  unknownWord?: string;
  /**
   * The provider will revisit this outcome (a REVIEW with its case still open, a RESUBMIT, a
   * result whose kind only a later event names). `status` and `decision` say what the provider
   * said; the reducer holds it as a provisional decision (ACTION_REQUIRED), never as an end.
   */
  provisional?: { awaiting: Awaiting };
  /**
   * A terminal outcome a callback claims on a static secret alone (a session expired, a flow that
   * errored, …): no status of its own. The reducer holds it and asks the provider's
   * API at once; the API's answer confirms or contradicts it.
   */
  claim?: { status: TerminalStatus; decision?: Decision };
}

/** A claim held until the provider's API confirms it (or the deadline applies it, not final). */
export interface HeldClaim {
  status: TerminalStatus;
  decision?: Decision;
  providerStatus: string;
  at: string;
  occurredAt?: string;
}

/** What a provisional decision waits for: a human at the provider, the user again, or the event that names the outcome. */
export const AWAITING = ['provider_review', 'user_resubmission', 'outcome_confirmation'] as const;
export type Awaiting = (typeof AWAITING)[number];

/**
 * A decision the provider gave and will revisit: held while the verification stays open
 * (ACTION_REQUIRED), until the provider's final decision or the end of its review window.
 */
export interface ProvisionalDecision {
  /** What the provider said (COMPLETED, with its decision when it gives one). */
  status: TerminalStatus;
  decision?: Decision;
  providerStatus: string;
  awaiting: Awaiting;
  /** 0 for the verification's first provisional decision, then 1, 2, …: the app is told of each by it. */
  index: number;
  /** When we applied it, and the provider's own time of it. */
  since: string;
  occurredAt?: string;
  /** The end of the review window (counted from the first provisional decision): then it closes with this decision. */
  reviewEndsAt: string;
}

/** One outcome the provider gave, provisional or final: the verification's decision history. */
export interface DecisionRecord {
  status: Status;
  decision?: Decision;
  providerStatus: string;
  source: EventSource;
  at: string;
  occurredAt?: string;
  /** False for a provisional decision. */
  final: boolean;
}

/** The decision history keeps the newest this many. */
export const DECISIONS_LIMIT = 20;

export interface VerificationEvent {
  /** A registered provider's ID (src/providers/registry.ts): the model takes it as it comes, the edges check it. */
  provider: string;
  /** The provider's own ID of the transaction. */
  reference: string;
  /** The provider's raw status word, kept for the timeline. */
  providerStatus: string;
  /** The provider's timestamp of the event, ISO 8601, when it sends one. */
  occurredAt?: string;
  source: EventSource;
  /** Two events with the same key are the same event delivered twice. */
  dedupKey: string;
  meaning: CanonicalMeaning;
  /** A short machine label with no personal data (e.g. a decision label), for the timeline. */
  detail?: string;
  /** Non-personal identifiers the retrieval API needs later (e.g. an account ID). */
  context?: Record<string, string>;
}

/**
 * applied: moved the verification; duplicate: already seen; stale: older than what we hold, or
 * after the end; recorded: a known word that carries no status; ignored-unknown: a word we do not
 * know; ignored-malformed: a signal whose argument is not what the model defines (src/verification/incoming.ts).
 */
export type ReduceOutcome = 'applied' | 'duplicate' | 'stale' | 'recorded' | 'ignored-unknown' | 'ignored-malformed';
/**
 * A timeline entry is an event the reducer saw, a poll of the provider that failed (and changed
 * nothing), or a deadline check that the provider could not confirm (postponed).
 */
export type TimelineOutcome = ReduceOutcome | 'poll-failed' | 'postponed';

export interface TimelineEntry {
  /** When the workflow applied or ignored the event. */
  at: string;
  source: EventSource;
  providerStatus: string;
  occurredAt?: string;
  outcome: TimelineOutcome;
  /** The canonical status after the event. */
  status: Status;
  decision?: Decision;
  detail?: string;
}

export interface VerificationState {
  /** A registered provider's ID. */
  provider: string;
  reference: string;
  status: Status;
  decision?: Decision;
  /** The provider status that set the current status. */
  providerStatus?: string;
  providerStatusAt?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  expiresAt: string;
  /** The app's own opaque reference for the customer, if it gave one. */
  customerReference?: string;
  /** Whether the app has registered this verification (false while only callbacks have arrived). */
  registeredByApp: boolean;
  context: Record<string, string>;
  /** Keys of `context` the app registered: a provider event never replaces them. */
  appContextKeys?: string[];
  timeline: TimelineEntry[];
  /** How many of the oldest timeline entries were dropped to keep the state bounded. */
  timelineDropped: number;
  /** Dedup keys already applied (bounded, newest last). */
  seen: string[];
  lastCallbackAt?: string;
  polls: number;
  /** Short machine codes of answers that need a human (see CanonicalMeaning.attention), oldest first. */
  attention: string[];
  /** Where the wait for the provider stands: next poll, deadline checks, an announced result. */
  wait: WaitProgress;
  /** A workflow of the app's to signal when the verification ends. */
  notifyWorkflowId?: string;
  /** The provider's latest provisional decision, while one is held (the verification is then ACTION_REQUIRED). */
  provisional?: ProvisionalDecision;
  /**
   * Set with the end: true when the provider (or the app) decided it, false when our own timer
   * chose it (the deadline, the lifetime, a review window that ran out). Absent on verifications
   * that ended before provisional decisions existed.
   */
  decisionFinal?: boolean;
  /** Every outcome the provider gave, provisional and final, oldest first (the newest 20). */
  decisions?: DecisionRecord[];
  /** How many provisional decisions the app was told of (the next to tell has this index). */
  told?: { provisional: number };
  /** A terminal outcome a static-secret callback claimed, held until the provider's API confirms it. */
  claim?: HeldClaim;
}

/** What the app says when it starts (or registers) a verification. */
export interface AppRegistration {
  expiresAt?: string;
  /** The app's own opaque customer reference: an ID, never personal data. */
  customerReference?: string;
  /** Non-personal identifiers the provider's retrieval API needs (e.g. an `accountId`). */
  context?: Record<string, string>;
  /** A workflow of the app's to signal (`kycVerificationFinished`, with the final state) when the verification ends. */
  notifyWorkflowId?: string;
}

export const TIMELINE_LIMIT = 200;
export const SEEN_LIMIT = 2000;

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
  /**
   * The first poll of a silence waits the grace plus up to this share of it (0.1: +0..10 %), so
   * a burst of starts or callbacks does not poll in the same second. Never shorter than the grace.
   * Absent (policies recorded before it existed, so their histories replay unchanged): no jitter.
   */
  firstPollJitter?: number;
  /**
   * The deadline is checked up to this long after it (at most 10 % of the lifetime), a share
   * drawn once per verification. The deadline itself never moves. Absent: checked at the deadline.
   */
  expiryCheckSpreadMs?: number;
  /**
   * How long a provisional decision may wait for the provider's final one (`<P>_REVIEW_WINDOW`),
   * counted from the first; then the verification closes with it, not final. Absent: 30 days.
   */
  reviewWindowMs?: number;
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
  /**
   * How long after the deadline it is first checked (the policy's spread): drawn once, at the
   * start, and carried, so replays and continued runs agree. Absent: at the deadline.
   */
  expiryCheckDelayMs?: number;
}

/** What a poll of the provider brought back: its answer, or the failure type the activity classified. */
export type PollResult = { answer: VerificationEvent } | { failure: string };
