/**
 * Our own inference against the provider's word: a verification our timer closed (EXPIRED at the
 * deadline, or at its maximum lifetime) and a provider event that carries a verdict after all.
 * Pure, so the reducer (a verdict in the same batch as the deadline, or while the app is being
 * told), the ingress and the client (src/late-verdicts/) apply one rule.
 */
import { isTerminal, type Status, type VerificationEvent, type VerificationState } from './model';

/** The attention code of a provider's verdict that came after our timer closed the verification. */
export const LATE_VERDICT = 'late_verdict';

/**
 * Why our own timer closed it: the reducer's timer words (src/verification/reducer.ts,
 * `timerEvent`), the end of a provisional decision's review window (COMPLETED with the
 * provider's decision so far), and a claim the provider's API never confirmed, applied at the
 * deadline (`decisionFinal: false` for all).
 */
export type InferredEnd = 'EXPIRY_REACHED' | 'MAX_LIFETIME_REACHED' | 'REVIEW_WINDOW_ENDED' | 'CLAIM_UNCONFIRMED';

const TIMER_ENDS: readonly InferredEnd[] = [
  'EXPIRY_REACHED',
  'MAX_LIFETIME_REACHED',
  'REVIEW_WINDOW_ENDED',
  'CLAIM_UNCONFIRMED',
];

/**
 * How the verification ended, when that end was inferred by our timer rather than reported by
 * the provider: the entry that applied the terminal status is a `timer` one. Undefined for a
 * verification that is still open, or that the provider (or the app) closed.
 */
export function inferredEnd(state: Pick<VerificationState, 'status' | 'timeline'>): InferredEnd | undefined {
  // The app's CANCELLED is its own word, never ours to revisit.
  if (!isTerminal(state.status) || state.status === 'CANCELLED') return undefined;
  // The terminal entry is among the last (only notifications follow it), so a capped timeline still holds it.
  const closing = [...state.timeline]
    .reverse()
    .find((entry) => entry.outcome === 'applied' && isTerminal(entry.status));
  if (!closing || closing.source !== 'timer') return undefined;
  return TIMER_ENDS.find((end) => end === closing.providerStatus) ?? 'EXPIRY_REACHED';
}

/**
 * A provider event that carries (or announces) a verdict: a terminal status other than the one we
 * inferred, or a result ready to be fetched (an event that only announces the verdict). A provider
 * EXPIRED after our EXPIRED agrees with us, and progress words (IN_PROGRESS, SUBMITTED) decide nothing.
 * After a review window closed COMPLETED with a provisional decision, a COMPLETED with another
 * decision is a verdict too (the reviewer's ACCEPT after our REVIEW); the same decision again, or
 * another provisional one, is not.
 */
export function isVerdict(
  event: VerificationEvent,
  inferred: Status | Pick<VerificationState, 'status' | 'decision'>,
): boolean {
  if (event.source !== 'callback' && event.source !== 'poll') return false;
  if (event.meaning.retrieve) return true;
  const closed = typeof inferred === 'string' ? { status: inferred } : inferred;
  // A claimed outcome (a static-secret callback) counts as the outcome it claims.
  const status = event.meaning.status ?? event.meaning.claim?.status;
  if (status === undefined || !isTerminal(status) || status === 'CANCELLED') return false;
  if (status !== closed.status) return true;
  return status === 'COMPLETED' && !event.meaning.provisional && event.meaning.decision !== closed.decision;
}
