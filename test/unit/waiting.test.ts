/**
 * The waiting rules, without Temporal: when the next poll is due, what the deadline decides and
 * by how much it postpones.
 */
import fc from 'fast-check';
import { ProviderFailure } from '../../src/providers/failure-types';
import type { VerificationEvent } from '../../src/verification/model';
import {
  afterCallback,
  afterScheduledPoll,
  deadlineCheckAt,
  judgeDeadline,
  lifetimeEndsAt,
  NOT_FOUND_CONFIRMATIONS,
  postponeDelayMs,
  startWaiting,
  type WaitProgress,
} from '../../src/verification/waiting';
import { TEST_POLICY } from '../support/policy';

const T0 = '2026-01-01T00:00:00.000Z';
const ms = (iso: string) => Date.parse(iso) - Date.parse(T0);
const at = (offsetMs: number) => new Date(Date.parse(T0) + offsetMs).toISOString();
const DAY = 24 * 3600_000;

function answer(meaning: VerificationEvent['meaning']): { answer: VerificationEvent } {
  return {
    answer: { provider: 'jumio', reference: 'r', providerStatus: 'X', source: 'poll', dedupKey: 'poll:X', meaning },
  };
}

describe('when to poll', () => {
  it('waits the grace after the start, then after every callback, starting the schedule over', () => {
    const wait = startWaiting(T0, TEST_POLICY);
    expect(ms(wait.nextPollAt)).toBe(TEST_POLICY.callbackGraceMs);
    const polled = afterScheduledPoll(wait, at(600_000), TEST_POLICY, () => 0.5);
    expect(polled.pollAttempt).toBe(1);
    const spoke = afterCallback(polled, at(700_000), TEST_POLICY);
    expect(spoke).toMatchObject({ pollAttempt: 0, quietSince: at(700_000) });
    expect(ms(spoke.nextPollAt)).toBe(700_000 + TEST_POLICY.callbackGraceMs);
  });

  it('follows the schedule, then polls once a day', () => {
    let wait = startWaiting(T0, TEST_POLICY);
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const now = wait.nextPollAt;
      wait = afterScheduledPoll(wait, now, TEST_POLICY, () => 0.5);
      gaps.push(Date.parse(wait.nextPollAt) - Date.parse(now));
    }
    expect(gaps).toEqual([60_000, 120_000, 240_000, DAY, DAY]);
  });

  it('jitters every gap within ±10 %, from the injected random source (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const wait: WaitProgress = { ...startWaiting(T0, TEST_POLICY), pollAttempt: n };
        const next = afterScheduledPoll(wait, T0, TEST_POLICY, () => r);
        const gap = TEST_POLICY.pollScheduleMs[n] ?? DAY;
        const actual = ms(next.nextPollAt);
        expect(actual).toBeGreaterThanOrEqual(Math.floor(gap * 0.9));
        expect(actual).toBeLessThanOrEqual(Math.ceil(gap * 1.1));
      }),
    );
  });
});

describe('the deadline', () => {
  const waiting = startWaiting(T0, TEST_POLICY);

  it('expires when the provider answers with a known word that holds no result', () => {
    expect(judgeDeadline(answer({ status: 'IN_PROGRESS' }), waiting)).toEqual({ expire: true });
    expect(judgeDeadline(answer({ informational: true }), waiting)).toEqual({ expire: true });
  });

  it('postpones on an unknown word, an announced result, an outage or our own misconfiguration', () => {
    expect(judgeDeadline(answer({}), waiting).expire).toBe(false);
    expect(judgeDeadline(answer({ status: 'SUBMITTED', retrieve: true }), waiting).expire).toBe(false);
    expect(judgeDeadline(answer({ status: 'IN_PROGRESS' }), { ...waiting, resultAnnounced: true }).expire).toBe(false);
    expect(judgeDeadline(undefined, { ...waiting, resultAnnounced: true }).expire).toBe(false);
    for (const failure of [ProviderFailure.Unavailable, ProviderFailure.AuthRejected, ProviderFailure.NotConfigured]) {
      expect(judgeDeadline({ failure }, waiting).expire).toBe(false);
    }
  });

  it('reads "not found" as the end only when the provider knew the reference, or after repeated checks', () => {
    const notFound = { failure: ProviderFailure.NotReady };
    expect(judgeDeadline(notFound, waiting)).toEqual({ expire: false, attention: 'reference_unknown_to_provider' });
    expect(judgeDeadline(notFound, { ...waiting, providerAnswered: true })).toEqual({ expire: true });
    const checks = NOT_FOUND_CONFIRMATIONS - 1;
    expect(judgeDeadline(notFound, { ...waiting, expiryChecks: checks })).toEqual({ expire: true });
  });

  it('backs off postponed checks (5, 10, 20, 40 minutes, then hourly) and checks no earlier than the expiry', () => {
    expect([0, 1, 2, 3, 4, 9].map(postponeDelayMs)).toEqual([5, 10, 20, 40, 60, 60].map((m) => m * 60_000));
    expect(deadlineCheckAt(at(1000), waiting)).toBe(Date.parse(at(1000)));
    expect(deadlineCheckAt(at(1000), { ...waiting, nextExpiryCheckAt: at(5000) })).toBe(Date.parse(at(5000)));
  });

  it('ends a lifetime at its maximum, and never less than a day past the deadline', () => {
    expect(lifetimeEndsAt(T0, at(DAY), TEST_POLICY)).toBe(Date.parse(T0) + TEST_POLICY.maxLifetimeMs);
    expect(lifetimeEndsAt(T0, at(40 * DAY), TEST_POLICY)).toBe(Date.parse(T0) + 41 * DAY);
  });
});
