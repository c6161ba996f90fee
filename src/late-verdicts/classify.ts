/**
 * The late-verdict rule: a provider's verdict that arrives after the verification closed with an
 * outcome we inferred ourselves (our deadline or maximum-lifetime timer) must not be swallowed.
 * Pure functions of the closed verification's final state and the late events, so the rule is
 * tested without Temporal, and the ingress and the inbox drainer apply the same one. The part the
 * reducer applies inside the workflow (what counts as a verdict) is in src/verification/late-verdict.ts.
 */
import type { VerificationEvent, VerificationState } from '../verification/model';
import { inferredEnd, isVerdict } from '../verification/late-verdict';
import { lifetimeEndsAt } from '../verification/waiting';
import type { LateVerdictNote, VerificationInput } from '../contracts';

export type LateClassification = { reason: 'late_verdict'; note: LateVerdictNote } | { reason: 'late' };

/**
 * Late events for one closed verification: `late_verdict` when its end was inferred, at least one
 * event is a verdict, and it arrived within `windowMs` of the close; otherwise plain `late`. Without
 * a readable final state (terminated, or unreadable) nothing is inferred: plain `late`.
 */
export function classifyLateEvents(
  finalState: Pick<VerificationState, 'status' | 'decision' | 'timeline' | 'completedAt'> | undefined,
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
  const verdicts = events.filter((event) => isVerdict(event, finalState));
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
