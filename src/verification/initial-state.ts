import type { VerificationPolicy, VerificationState } from './model';
import { isoAt, seededRandom, startWaiting } from './waiting';

/** A verification as it starts: pending, due to expire after the policy's lifetime, waiting for its grace. */
export function initialState(
  provider: string,
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
