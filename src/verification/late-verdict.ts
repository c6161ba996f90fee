/**
 * Our own inference against the provider's word: a verification our timer closed (EXPIRED at the
 * deadline, or at its maximum lifetime) and a provider event that carries a verdict after all.
 * Pure, so the reducer (a verdict in the same batch as the deadline, or while the app is being
 * told), the ingress and the client (src/late-verdicts/) apply one rule.
 */
import { isTerminal, type Status, type VerificationEvent, type VerificationState } from './model';

/** The attention code of a provider's verdict that came after our timer closed the verification. */
export const LATE_VERDICT = 'late_verdict';

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
 * inferred, or a result ready to be fetched (an event that only announces the verdict). A provider
 * EXPIRED after our EXPIRED agrees with us, and progress words (IN_PROGRESS, SUBMITTED) decide nothing.
 */
export function isVerdict(event: VerificationEvent, inferred: Status): boolean {
  if (event.source !== 'callback' && event.source !== 'poll') return false;
  if (event.meaning.retrieve) return true;
  const status = event.meaning.status;
  return status !== undefined && isTerminal(status) && status !== inferred && status !== 'CANCELLED';
}
