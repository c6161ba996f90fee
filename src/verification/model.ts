/**
 * The provider-neutral verification model. Pure TypeScript with no Temporal imports, so the
 * workflow, the ingress, the client and the tests all share one vocabulary.
 */
import { startWaiting, isoAt, seededRandom, type VerificationPolicy, type WaitProgress } from './waiting';

/** The one list of providers; the registry is keyed by it, so a provider missing there fails to compile. */

export const PROVIDERS = ['jumio', 'socure', 'attestr', 'unico', 'concedus'] as const;
export type ProviderId = (typeof PROVIDERS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDERS as readonly string[]).includes(value);
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
  /** A known provider word that deliberately changes no status (e.g. Socure SESSION_COMPLETE): recorded as such. */
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
}

export interface VerificationEvent {
  provider: ProviderId;
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
  /** A short machine label with no personal data (e.g. Jumio's decision label), for the timeline. */
  detail?: string;
  /** Non-personal identifiers the retrieval API needs later (e.g. Jumio's account ID). */
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
  provider: ProviderId;
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
}

/** What the app says when it starts (or registers) a verification. */
export interface AppRegistration {
  expiresAt?: string;
  /** The app's own opaque customer reference: an ID, never personal data. */
  customerReference?: string;
  /** Non-personal identifiers the provider's retrieval API needs (e.g. Jumio `accountId`). */
  context?: Record<string, string>;
  /** A workflow of the app's to signal (`kycVerificationFinished`, with the final state) when the verification ends. */
  notifyWorkflowId?: string;
}

export const TIMELINE_LIMIT = 200;
export const SEEN_LIMIT = 2000;

/** A verification as it starts: pending, due to expire after the policy's lifetime, waiting for its grace. */
export function initialState(
  provider: ProviderId,
  reference: string,
  now: string,
  policy: VerificationPolicy,
  // The verification's own identity seeds its jitter: the same in every replay, different per verification.
  random: () => number = seededRandom(`${provider}:${reference}`),
): VerificationState {
  return {
    provider,
    reference,
    status: 'PENDING',
    createdAt: now,
    updatedAt: now,
    expiresAt: isoAt(Date.parse(now) + policy.expiresAfterMs),
    registeredByApp: false,
    context: {},
    timeline: [],
    timelineDropped: 0,
    seen: [],
    polls: 0,
    attention: [],
    wait: startWaiting(now, policy, random),
  };
}
