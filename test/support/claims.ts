/**
 * What the claim tests share (src/providers/<id>/test/claims.test.ts): an end that a callback names on
 * a static secret alone is held until the provider's API confirms it, read from the vendors'
 * documented payloads by the real parsers and applied by the reducer with claims on.
 */
import type { VerificationEvent, VerificationPolicy, VerificationState } from '../../src/verification/model';
import { reduce, type VerificationChange } from '../../src/verification/reducer';
import { TEST_POLICY } from './policy';

export const T0 = '2026-01-01T10:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
export const policy: VerificationPolicy = { ...TEST_POLICY };

export function apply(
  state: VerificationState,
  change: VerificationChange,
  now: string,
  rules = { provisional: true },
) {
  return reduce(state, change, { now, policy, random: () => 0.5, rules }).state;
}
export const callback = (event: VerificationEvent): VerificationChange => ({ kind: 'callback', event });
export const polled = (answer: VerificationEvent): VerificationChange => ({
  kind: 'polled',
  purpose: 'schedule',
  result: { answer },
});
export const only = (events: VerificationEvent[]) => {
  expect(events).toHaveLength(1);
  return events[0]!;
};
