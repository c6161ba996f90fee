/**
 * The waiting rules, without Temporal: when the next poll is due, what the deadline decides and
 * by how much it postpones.
 */
import fc from 'fast-check';
import { ProviderFailure } from '../../src/verification/provider-failure';
import type { VerificationEvent } from '../../src/verification/model';
import {
  afterCallback,
  afterScheduledPoll,
  deadlineCheckAt,
  expiryCheckDelayFor,
  historyIsLong,
  judgeDeadline,
  lifetimeEndsAt,
  NOT_FOUND_CONFIRMATIONS,
  postponeDelayMs,
  seededRandom,
  startWaiting,
} from '../../src/verification/waiting';
import { type WaitProgress } from '../../src/verification/model';
import { reduce } from '../../src/verification/reducer';
import { TEST_POLICY, TEST_PROVIDER } from '../support/policy';
import { initialState } from '../../src/verification/initial-state';

const T0 = '2026-01-01T00:00:00.000Z';
const ms = (iso: string) => Date.parse(iso) - Date.parse(T0);
const at = (offsetMs: number) => new Date(Date.parse(T0) + offsetMs).toISOString();
const DAY = 24 * 3600_000;
/** A policy without jitter never draws: a random source that fails if it is called. */
const noRandom = () => {
  throw new Error('a policy without jitter drew a random number');
};

function answer(meaning: VerificationEvent['meaning']): { answer: VerificationEvent } {
  return {
    answer: {
      provider: TEST_PROVIDER,
      reference: 'r',
      providerStatus: 'X',
      source: 'poll',
      dedupKey: 'poll:X',
      meaning,
    },
  };
}

describe('when to poll', () => {
  it('waits the grace after the start, then after every callback, starting the schedule over', () => {
    const wait = startWaiting(T0, TEST_POLICY, noRandom);
    expect(ms(wait.nextPollAt)).toBe(TEST_POLICY.callbackGraceMs);
    const polled = afterScheduledPoll(wait, at(600_000), TEST_POLICY, () => 0.5);
    expect(polled.pollAttempt).toBe(1);
    const spoke = afterCallback(polled, at(700_000), TEST_POLICY, noRandom);
    expect(spoke).toMatchObject({ pollAttempt: 0, quietSince: at(700_000) });
    expect(ms(spoke.nextPollAt)).toBe(700_000 + TEST_POLICY.callbackGraceMs);
  });

  it('follows the schedule, then polls once a day', () => {
    let wait = startWaiting(T0, TEST_POLICY, noRandom);
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
        const wait: WaitProgress = { ...startWaiting(T0, TEST_POLICY, noRandom), pollAttempt: n };
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
  const waiting = startWaiting(T0, TEST_POLICY, noRandom);

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

  it('never expires on an unknown word (the unknown-word rule): it postpones, raising attention unknown_word', () => {
    const unknown = answer({ status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'NEW_TYPE' });
    expect(judgeDeadline(unknown, waiting)).toEqual({ expire: false, attention: 'unknown_word' });
    // A known word that asks a human (a provider's follow-up query) still expires at the deadline.
    expect(judgeDeadline(answer({ status: 'ACTION_REQUIRED' }), waiting)).toEqual({ expire: true });
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

describe('jittered first poll and deadline check', () => {
  /** The production shape: grace +0..10 %, deadline checks spread over up to 5 minutes. */
  const JITTERED = { ...TEST_POLICY, firstPollJitter: 0.1, expiryCheckSpreadMs: 5 * 60_000 };
  const share = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('never polls before the grace nor later than +10 %, after the start and after every callback (property)', () => {
    fc.assert(
      fc.property(share, share, fc.nat({ max: DAY }), (r1, r2, callbackAt) => {
        const randoms = [r1, r2];
        const wait = startWaiting(T0, JITTERED, () => randoms.shift()!);
        const grace = JITTERED.callbackGraceMs;
        expect(ms(wait.nextPollAt)).toBeGreaterThanOrEqual(grace);
        expect(ms(wait.nextPollAt)).toBeLessThanOrEqual(grace * 1.1);
        const spoke = afterCallback(wait, at(callbackAt), JITTERED, () => r1);
        expect(ms(spoke.nextPollAt) - callbackAt).toBeGreaterThanOrEqual(grace);
        expect(ms(spoke.nextPollAt) - callbackAt).toBeLessThanOrEqual(grace * 1.1);
        // Deterministic given the random source: the same draw, the same instant.
        expect(afterCallback(wait, at(callbackAt), JITTERED, () => r1)).toEqual(spoke);
      }),
    );
  });

  it('checks the deadline within its spread after it, never before, and keeps the deadline itself (property)', () => {
    fc.assert(
      fc.property(share, share, fc.integer({ min: 1000, max: 60 * DAY }), (r1, r2, lifetime) => {
        const policy = { ...JITTERED, expiresAfterMs: lifetime };
        const randoms = [r1, r2];
        const state = initialState(TEST_PROVIDER, 'r', T0, policy, () => randoms.shift()!);
        expect(ms(state.expiresAt)).toBe(lifetime);
        const check = deadlineCheckAt(state.expiresAt, state.wait) - Date.parse(T0);
        expect(check).toBeGreaterThanOrEqual(lifetime);
        expect(check - lifetime).toBeLessThanOrEqual(Math.min(5 * 60_000, lifetime * 0.1));
        // A postponed check later than that still wins.
        const postponed = { ...state.wait, nextExpiryCheckAt: at(lifetime + 3 * 3600_000) };
        expect(deadlineCheckAt(state.expiresAt, postponed)).toBe(Date.parse(T0) + lifetime + 3 * 3600_000);
      }),
    );
  });

  it('keeps the check’s share of the spread when the app sets another deadline (a short one is not checked late)', () => {
    const wait = { ...startWaiting(T0, JITTERED, () => 0.5), expiryCheckDelayMs: 150_000 };
    const oldExpiry = at(JITTERED.expiresAfterMs);
    expect(expiryCheckDelayFor(wait, JITTERED, T0, oldExpiry, at(2 * DAY))).toBe(150_000);
    expect(expiryCheckDelayFor(wait, JITTERED, T0, oldExpiry, at(10_000))).toBe(500);
    expect(expiryCheckDelayFor(startWaiting(T0, TEST_POLICY, noRandom), TEST_POLICY, T0, oldExpiry, at(10_000))).toBe(
      undefined,
    );
    // Through the reducer: the app's 10-second deadline is checked at most a second after it.
    const start = initialState(TEST_PROVIDER, 'r', T0, JITTERED, () => 0.999);
    const { state } = reduce(
      start,
      { kind: 'registered', registration: { expiresAt: at(10_000) } },
      { now: T0, policy: JITTERED, random: noRandom },
    );
    expect(ms(state.expiresAt)).toBe(10_000);
    const delay = deadlineCheckAt(state.expiresAt, state.wait) - Date.parse(at(10_000));
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(1000);
  });

  it('without jitter in the policy (histories recorded before it) draws nothing and waits exactly', () => {
    const state = initialState(TEST_PROVIDER, 'r', T0, TEST_POLICY, noRandom);
    expect(ms(state.wait.nextPollAt)).toBe(TEST_POLICY.callbackGraceMs);
    expect(state.wait.expiryCheckDelayMs).toBeUndefined();
    expect(deadlineCheckAt(state.expiresAt, state.wait)).toBe(Date.parse(state.expiresAt));
    const { state: spoken } = reduce(
      state,
      { kind: 'callback', event: answer({ status: 'IN_PROGRESS' }).answer },
      { now: at(1000), policy: TEST_POLICY, random: noRandom },
    );
    expect(ms(spoken.wait.nextPollAt)).toBe(1000 + TEST_POLICY.callbackGraceMs);
  });

  it('spreads a thousand verifications started in the same millisecond over the grace’s 10 %, from their identity', () => {
    const starts = Array.from({ length: 1000 }, (_, i) => initialState(TEST_PROVIDER, `ref-${i}`, T0, JITTERED));
    // The same identity gives the same wait: a replay or a continued run computes the same instants.
    expect(initialState(TEST_PROVIDER, 'ref-7', T0, JITTERED).wait).toEqual(starts[7]!.wait);
    const perSecond = (instants: number[]) => {
      const counts = new Map<number, number>();
      for (const t of instants) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
      return counts;
    };
    const polls = perSecond(starts.map((s) => ms(s.wait.nextPollAt)));
    const checks = perSecond(starts.map((s) => deadlineCheckAt(s.expiresAt, s.wait) - Date.parse(T0)));
    // 60 s of spread for the polls, 300 s for the checks: about 17 and 3 a second on average.
    expect(polls.size).toBeGreaterThanOrEqual(55);
    expect(Math.max(...polls.values())).toBeLessThanOrEqual(40);
    expect(checks.size).toBeGreaterThanOrEqual(250);
    expect(Math.max(...checks.values())).toBeLessThanOrEqual(15);
  });

  it('draws numbers in [0, 1) from a key, the same for the same key', () => {
    const a = seededRandom('p:x');
    const b = seededRandom('p:x');
    const c = seededRandom('p:y');
    const drawsA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(drawsA);
    expect(Array.from({ length: 100 }, c)).not.toEqual(drawsA);
    for (const value of drawsA) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe('historyIsLong', () => {
  it('hands over when Temporal suggests it or at the limit, with twice the room while a provider call is in flight', () => {
    expect(historyIsLong({ continueAsNewSuggested: false, historyLength: 99 }, false, 100)).toBe(false);
    expect(historyIsLong({ continueAsNewSuggested: false, historyLength: 100 }, false, 100)).toBe(true);
    expect(historyIsLong({ continueAsNewSuggested: false, historyLength: 199 }, true, 100)).toBe(false);
    expect(historyIsLong({ continueAsNewSuggested: false, historyLength: 200 }, true, 100)).toBe(true);
    expect(historyIsLong({ continueAsNewSuggested: true, historyLength: 1 }, true, 100)).toBe(true);
  });
});
