/**
 * The late-verdict rule: a provider's verdict that arrives after the verification closed with an
 * outcome we inferred ourselves (our deadline or maximum-lifetime timer) must not be swallowed.
 * Pure functions of the closed verification's final state and the late events, so the rule is
 * tested without Temporal and the ingress, the CLI and the client apply the same one.
 */
import { isTerminal, type Status, type VerificationEvent, type VerificationState } from '../verification/model';
import { lifetimeEndsAt } from '../verification/waiting';
import type { VerificationInput } from '../workflows/messages';

/** Why our own timer closed it: the reducer's timer words (src/verification/reducer.ts, `timerEvent`). */
export type InferredEnd = 'EXPIRY_REACHED' | 'MAX_LIFETIME_REACHED';

/** Terminal statuses we may infer ourselves; COMPLETED, FAILED (the provider's) and CANCELLED (the app's) never are. */
const INFERABLE: readonly Status[] = ['EXPIRED', 'ABANDONED'];

/**
 * How the verification ended, when that end was inferred by our timer rather than reported by
 * the provider: the entry that applied the terminal status is a `timer` one. Undefined for a
 * verification that is still open, or that the provider (or the app) closed.
 */
export function inferredEnd(state: Pick<VerificationState, 'status' | 'timeline'>): InferredEnd | undefined {
  if (!INFERABLE.includes(state.status)) return undefined;
  // The terminal entry is among the last (only notifications follow it), so a capped timeline still holds it.
  const closing = [...state.timeline]
    .reverse()
    .find((entry) => entry.outcome === 'applied' && isTerminal(entry.status));
  if (!closing || closing.source !== 'timer') return undefined;
  return closing.providerStatus === 'MAX_LIFETIME_REACHED' ? 'MAX_LIFETIME_REACHED' : 'EXPIRY_REACHED';
}

/**
 * A provider event that carries (or announces) a verdict: a terminal status other than the one we
 * inferred, or a result ready to be fetched (Jumio PROCESSED, Unico's result events). A provider
 * EXPIRED after our EXPIRED agrees with us, and progress words (IN_PROGRESS, SUBMITTED) decide nothing.
 */
export function isVerdict(event: VerificationEvent, inferred: Status): boolean {
  if (event.source !== 'callback' && event.source !== 'poll') return false;
  if (event.meaning.retrieve) return true;
  const status = event.meaning.status;
  return status !== undefined && isTerminal(status) && status !== inferred && status !== 'CANCELLED';
}

/** What a late verdict is recorded with: status words and IDs only, no personal data. */
export interface LateVerdictNote {
  /** How our timer had closed the verification. */
  inferredEnd: InferredEnd;
  /** The status we had inferred (EXPIRED). */
  inferredStatus: Status;
  /** When the verification closed. */
  closedAt?: string;
  verdicts: { providerStatus: string; status?: Status; decision?: string; occurredAt?: string; retrieve?: boolean }[];
}

export type LateClassification = { reason: 'late_verdict'; note: LateVerdictNote } | { reason: 'late' };

/**
 * Late events for one closed verification: `late_verdict` when its end was inferred, at least one
 * event is a verdict, and it arrived within `windowMs` of the close; otherwise plain `late`. Without
 * a readable final state (terminated, or unreadable) nothing is inferred: plain `late`.
 */
export function classifyLateEvents(
  finalState: Pick<VerificationState, 'status' | 'timeline' | 'completedAt'> | undefined,
  events: VerificationEvent[],
  receivedAt: string,
  windowMs: number,
): LateClassification {
  if (!finalState) return { reason: 'late' };
  const end = inferredEnd(finalState);
  if (!end) return { reason: 'late' };
  const closedAt = finalState.completedAt ? Date.parse(finalState.completedAt) : NaN;
  // A close time we cannot read is not a reason to drop a verdict: it counts as within the window.
  if (!Number.isNaN(closedAt) && Date.parse(receivedAt) - closedAt > windowMs) return { reason: 'late' };
  const verdicts = events.filter((event) => isVerdict(event, finalState.status));
  if (verdicts.length === 0) return { reason: 'late' };
  return {
    reason: 'late_verdict',
    note: {
      inferredEnd: end,
      inferredStatus: finalState.status,
      ...(finalState.completedAt ? { closedAt: finalState.completedAt } : {}),
      verdicts: verdicts.map((event) => ({
        providerStatus: event.providerStatus,
        ...(event.meaning.status ? { status: event.meaning.status } : {}),
        ...(event.meaning.decision ? { decision: event.meaning.decision } : {}),
        ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
        ...(event.meaning.retrieve ? { retrieve: true } : {}),
      })),
    },
  };
}

/**
 * Whether a reopened run would close again at once (MAX_LIFETIME_REACHED) before the provider can
 * answer. A reopen re-runs the closed run from its first workflow task: a first run starts over
 * at the reopen time, so its lifetime starts again; a run that continued as new carries its state,
 * whose lifetime still counts from the verification's original start.
 */
export function lifetimeOverOnReopen(input: Pick<VerificationInput, 'carried' | 'policy'>, now: number): boolean {
  const { carried, policy } = input;
  if (!carried || !policy) return false;
  return now >= lifetimeEndsAt(carried.createdAt, carried.expiresAt, policy);
}
