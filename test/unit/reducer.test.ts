import fc from 'fast-check';
import {
  isTerminal,
  statusRank,
  TIMELINE_LIMIT,
  type VerificationEvent,
  type VerificationState,
} from '../../src/verification/model';
import { reduce as reduceChange, type VerificationChange } from '../../src/verification/reducer';
import { TEST_POLICY, TEST_PROVIDER } from '../support/policy';
import type { CanonicalMeaning } from '../../src/verification/model';
import { initialState as createInitialState } from '../../src/verification/initial-state';
import { PROVIDERS } from '../../src/providers/registry';
import { loadSequences, SEQUENCE_REFERENCE } from '../support/sequences';

const NOW = '2026-01-01T00:00:00.000Z';

/** A provider event as the workflow hands it over: a callback, or a poll's answer. */
function asChange(e: VerificationEvent): VerificationChange {
  return e.source === 'poll'
    ? { kind: 'polled', purpose: 'announced', result: { answer: e } }
    : { kind: 'callback', event: e };
}

function reduce(state: VerificationState, e: VerificationEvent, now: string) {
  return reduceChange(state, asChange(e), { now, policy: TEST_POLICY, random: () => 0.5 });
}

function initialState(provider: string, reference: string, now: string): VerificationState {
  return createInitialState(provider, reference, now, TEST_POLICY);
}

function event(
  partial: Partial<VerificationEvent> & Pick<VerificationEvent, 'providerStatus' | 'meaning'>,
): VerificationEvent {
  return {
    provider: TEST_PROVIDER,
    reference: 'ref-1',
    source: 'callback',
    dedupKey: `callback:${partial.providerStatus}`,
    ...partial,
  };
}

function run(events: VerificationEvent[], provider = TEST_PROVIDER, reference = 'ref-1'): VerificationState {
  return events.reduce((state, e) => reduce(state, e, NOW).state, initialState(provider, reference, NOW));
}

/** What must not depend on arrival order: everything but the timeline and bookkeeping. */
function verdict(state: VerificationState) {
  return { status: state.status, decision: state.decision, providerStatus: state.providerStatus };
}

describe('reduce', () => {
  it('moves forward and records what it did', () => {
    const s1 = reduce(
      initialState(TEST_PROVIDER, 'ref-1', NOW),
      event({ providerStatus: 'ACQUIRED', meaning: { status: 'SUBMITTED' } }),
      NOW,
    );
    expect(s1.outcome).toBe('applied');
    expect(s1.state.status).toBe('SUBMITTED');
    expect(s1.state.timeline).toEqual([
      { at: NOW, source: 'callback', providerStatus: 'ACQUIRED', outcome: 'applied', status: 'SUBMITTED' },
    ]);
  });

  it('never moves backwards', () => {
    const state = run([event({ providerStatus: 'ACQUIRED', meaning: { status: 'SUBMITTED' } })]);
    const back = reduce(
      state,
      event({ providerStatus: 'ACQUISITION_STARTED', meaning: { status: 'IN_PROGRESS' } }),
      NOW,
    );
    expect(back.outcome).toBe('stale');
    expect(back.state.status).toBe('SUBMITTED');
  });

  it('never changes a terminal status', () => {
    const done = run([
      event({
        providerStatus: 'X',
        source: 'poll',
        dedupKey: 'p',
        meaning: { status: 'COMPLETED', decision: 'APPROVED' },
      }),
    ]);
    const after = reduce(done, event({ providerStatus: 'SESSION_EXPIRED', meaning: { status: 'EXPIRED' } }), NOW);
    expect(after.outcome).toBe('stale');
    expect(verdict(after.state)).toEqual({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'X' });
  });

  it("raises a provider's verdict after our own timer closed the verification, and only then", () => {
    const ctx = { now: NOW, policy: TEST_POLICY, random: () => 0.5 };
    const passed = event({ providerStatus: 'DONE', meaning: { status: 'COMPLETED', decision: 'APPROVED' } });
    const ended = reduceChange(initialState(TEST_PROVIDER, 'ref-1', NOW), { kind: 'lifetime-ended' }, ctx).state;
    const late = reduce(ended, passed, NOW);
    expect(late.outcome).toBe('stale');
    expect(late.state.status).toBe('EXPIRED');
    expect(late.state.attention).toContain('late_verdict');
    // The provider's own end is not ours to doubt: its later words change nothing and raise nothing.
    const failed = run([event({ providerStatus: 'NO', meaning: { status: 'FAILED' } })]);
    expect(reduce(failed, passed, NOW).state.attention).toEqual([]);
    // A late word that decides nothing (progress) raises nothing either.
    const progress = reduce(ended, event({ providerStatus: 'STARTED', meaning: { status: 'IN_PROGRESS' } }), NOW);
    expect(progress.state.attention).not.toContain('late_verdict');
  });

  it('treats the same dedup key as a duplicate that changes nothing but the timeline', () => {
    const e = event({ providerStatus: 'ACQUIRED', meaning: { status: 'SUBMITTED' } });
    const once = run([e]);
    const twice = reduce(once, e, NOW);
    expect(twice.outcome).toBe('duplicate');
    expect({ ...twice.state, timeline: [], updatedAt: '' }).toEqual({ ...once, timeline: [], updatedAt: '' });
    expect(twice.state.timeline).toHaveLength(2);
  });

  it('records an unknown provider status without changing the status', () => {
    const r = reduce(
      initialState(TEST_PROVIDER, 'ref-1', NOW),
      event({ providerStatus: 'SOMETHING_NEW', meaning: {} }),
      NOW,
    );
    expect(r.outcome).toBe('ignored-unknown');
    expect(r.state.status).toBe('PENDING');
    expect(r.state.timeline[0]).toMatchObject({ providerStatus: 'SOMETHING_NEW', outcome: 'ignored-unknown' });
  });

  it('orders events of the same rank by the provider timestamp', () => {
    const later = event({
      providerStatus: 'PROCESSED',
      occurredAt: '2026-01-01T00:00:02Z',
      meaning: { status: 'SUBMITTED', retrieve: true },
    });
    const earlier = event({
      providerStatus: 'ACQUIRED',
      occurredAt: '2026-01-01T00:00:01Z',
      meaning: { status: 'SUBMITTED' },
    });
    const r = reduce(run([later]), earlier, NOW);
    expect(r.outcome).toBe('stale');
    expect(r.state.providerStatus).toBe('PROCESSED');
  });

  it("follows the provider's latest identifiers in the context, and never replaces the app's", () => {
    const hrefFor = (account: string) =>
      `https://retrieval.example/api/v1/accounts/${account}/workflow-executions/ref-1`;
    const meanings: Record<string, CanonicalMeaning> = {
      INITIATED: { status: 'PENDING' },
      ACQUIRED: { status: 'SUBMITTED' },
      PROCESSED: { status: 'SUBMITTED', retrieve: true },
    };
    const withContext = (providerStatus: string, context: Record<string, string>) =>
      event({ providerStatus, meaning: meanings[providerStatus]!, context });
    let state = run([withContext('INITIATED', { accountId: 'acc-1', href: hrefFor('acc-1') })]);
    expect(state.context).toEqual({ accountId: 'acc-1', href: hrefFor('acc-1') });
    // A first callback does not pin them for good: a later one replaces them.
    state = reduce(state, withContext('ACQUIRED', { accountId: 'acc-2', href: hrefFor('acc-2') }), NOW).state;
    expect(state.context).toEqual({ accountId: 'acc-2', href: hrefFor('acc-2') });
    // What the app registered wins, before or after the callbacks.
    state = reduceChange(
      state,
      { kind: 'registered', registration: { context: { accountId: 'acc-app' } } },
      { now: NOW, policy: TEST_POLICY, random: () => 0.5 },
    ).state;
    state = reduce(state, withContext('PROCESSED', { accountId: 'acc-3', href: hrefFor('acc-3') }), NOW).state;
    expect(state.context).toEqual({ accountId: 'acc-app', href: hrefFor('acc-3') });
  });

  it('sets a decision only with COMPLETED', () => {
    const s = run([event({ providerStatus: 'NOT_EXECUTED', meaning: { status: 'FAILED' } })]);
    expect(s.status).toBe('FAILED');
    expect(s.decision).toBeUndefined();
  });

  it('keeps the timeline bounded', () => {
    let state = initialState(TEST_PROVIDER, 'ref-1', NOW);
    for (let i = 0; i < TIMELINE_LIMIT + 25; i++) {
      state = reduce(state, event({ providerStatus: `UNKNOWN_${i}`, dedupKey: `k${i}`, meaning: {} }), NOW).state;
    }
    expect(state.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(state.timelineDropped).toBe(25);
    expect(state.timeline.at(-1)?.providerStatus).toBe(`UNKNOWN_${TIMELINE_LIMIT + 24}`);
  });
});

/**
 * For each provider's realistic sequence (callbacks with their timestamps, plus the poll that
 * fetches the verdict), every permutation with any duplications ends in the same state. Each
 * provider documents its sequences in src/providers/<id>/test/sequences.ts.
 */
describe('order independence (property)', () => {
  it.each(PROVIDERS)('%s documents its sequences', (provider) => {
    expect(Object.keys(loadSequences(provider)).length).toBeGreaterThan(0);
  });

  const sequences = PROVIDERS.flatMap((provider) =>
    Object.entries(loadSequences(provider)).map(([name, events]) => ({ provider, name, events })),
  );

  for (const { provider, name, events } of sequences) {
    it(`${provider} ${name}: any order, any duplicates, same end state`, () => {
      const replay = (each: VerificationEvent[]) => run(each, provider, SEQUENCE_REFERENCE);
      const expected = verdict(replay(events));
      fc.assert(
        fc.property(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 6 }),
          (shuffled, duplicates) => {
            const withDuplicates = [...shuffled];
            for (const index of duplicates) withDuplicates.splice(index, 0, events[index]!);
            expect(verdict(replay(withDuplicates))).toEqual(expected);
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

/**
 * The invariants hold for every kind of change, not only provider events: registration,
 * cancellation, refresh, poll answers and failures, the deadline, the lifetime end and
 * notifications, in any mix, with several terminal changes in one sequence.
 */
describe('invariants over every kind of change (property)', () => {
  const provider = (
    providerStatus: string,
    meaning: CanonicalMeaning,
    source: VerificationEvent['source'] = 'callback',
  ): VerificationEvent => event({ providerStatus, meaning, source, dedupKey: `${source}:${providerStatus}` });

  const anyChange: fc.Arbitrary<VerificationChange> = fc.oneof(
    fc.constantFrom<VerificationChange>(
      { kind: 'callback', event: provider('STARTED', { status: 'IN_PROGRESS' }) },
      { kind: 'callback', event: provider('ACQUIRED', { status: 'SUBMITTED' }) },
      { kind: 'callback', event: provider('ASKS', { status: 'ACTION_REQUIRED' }) },
      { kind: 'callback', event: provider('READY', { status: 'SUBMITTED', retrieve: true }) },
      { kind: 'callback', event: provider('NEW_WORD', {}) },
      {
        kind: 'callback',
        event: provider('UNMAPPED', {
          status: 'ACTION_REQUIRED',
          attention: 'unknown_status',
          unknownWord: 'UNMAPPED',
        }),
      },
      {
        kind: 'polled',
        purpose: 'announced',
        result: {
          answer: provider(
            'DONE/NEW',
            { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'NEW' },
            'poll',
          ),
        },
      },
      {
        kind: 'deadline-reached',
        check: {
          answer: provider(
            'ODD',
            { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'ODD' },
            'poll',
          ),
        },
      },
      { kind: 'callback', event: provider('DONE', { status: 'COMPLETED', decision: 'APPROVED' }) },
      { kind: 'callback', event: provider('GONE', { status: 'EXPIRED' }) },
      { kind: 'callback', event: provider('BROKE', { status: 'FAILED' }) },
      {
        kind: 'polled',
        purpose: 'schedule',
        result: { answer: provider('NO', { status: 'COMPLETED', decision: 'REJECTED' }, 'poll') },
      },
      { kind: 'polled', purpose: 'schedule', result: { failure: 'ProviderUnavailable' } },
      { kind: 'polled', purpose: 'announced', result: { failure: 'ProviderBadResponse' } },
      { kind: 'deadline-reached' },
      { kind: 'deadline-reached', check: { answer: provider('STARTED', { status: 'IN_PROGRESS' }, 'poll') } },
      { kind: 'deadline-reached', check: { failure: 'ProviderNotReady' } },
      { kind: 'lifetime-ended' },
      { kind: 'cancel-requested', reason: 'user_left' },
      { kind: 'refresh-requested' },
      { kind: 'notified', channel: 'webhook', delivered: true },
    ),
    fc.record({
      kind: fc.constant('registered' as const),
      registration: fc.record({
        customerReference: fc.constantFrom('c-1', 'c-2'),
        expiresAt: fc.constantFrom(NOW, 'bad'),
      }),
    }),
  );

  const ctx = { now: NOW, policy: TEST_POLICY, random: () => 0.5 };

  it('status rank never goes down, and a terminal status and its decision never change', () => {
    fc.assert(
      fc.property(fc.array(anyChange, { maxLength: 30 }), (changes) => {
        let state = initialState(TEST_PROVIDER, 'ref-1', NOW);
        let terminal: ReturnType<typeof verdict> | undefined;
        for (const change of changes) {
          const next = reduceChange(state, change, ctx).state;
          expect(statusRank(next.status)).toBeGreaterThanOrEqual(statusRank(state.status));
          if (terminal) expect(verdict(next)).toEqual(terminal);
          if (isTerminal(next.status)) terminal ??= verdict(next);
          if (next.decision) expect(next.status).toBe('COMPLETED');
          state = next;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('with one terminal provider event, any order of it and of changes that set no status ends the same', () => {
    const quiet = fc.constantFrom<VerificationChange>(
      { kind: 'refresh-requested' },
      { kind: 'deadline-reached' },
      { kind: 'polled', purpose: 'schedule', result: { failure: 'ProviderUnavailable' } },
      { kind: 'notified', channel: 'workflow', delivered: false },
      { kind: 'registered', registration: { customerReference: 'c-1' } },
      { kind: 'callback', event: provider('NEW_WORD', {}) },
      {
        kind: 'callback',
        event: provider('UNMAPPED', {
          status: 'ACTION_REQUIRED',
          attention: 'unknown_status',
          unknownWord: 'UNMAPPED',
        }),
      },
      {
        kind: 'polled',
        purpose: 'announced',
        result: {
          answer: provider(
            'DONE/NEW',
            { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'NEW' },
            'poll',
          ),
        },
      },
      {
        kind: 'deadline-reached',
        check: {
          answer: provider(
            'ODD',
            { status: 'ACTION_REQUIRED', attention: 'unknown_status', unknownWord: 'ODD' },
            'poll',
          ),
        },
      },
    );
    const story: VerificationChange[] = [
      { kind: 'callback', event: provider('STARTED', { status: 'IN_PROGRESS' }) },
      { kind: 'callback', event: provider('ACQUIRED', { status: 'SUBMITTED' }) },
      { kind: 'callback', event: provider('DONE', { status: 'COMPLETED', decision: 'REVIEW' }) },
    ];
    fc.assert(
      fc.property(fc.array(quiet, { maxLength: 8 }), fc.nat(), (extra, seed) => {
        const all = [...story, ...extra];
        const shuffled = all
          .map((change, i) => ({ change, key: (i * 7919 + seed) % 104729 }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.change);
        const end = shuffled.reduce(
          (s, change) => reduceChange(s, change, ctx).state,
          initialState(TEST_PROVIDER, 'ref-1', NOW),
        );
        expect(verdict(end)).toEqual({ status: 'COMPLETED', decision: 'REVIEW', providerStatus: 'DONE' });
      }),
      { numRuns: 300 },
    );
  });

  it('an announced result answered by an unknown word is applied and the fetch is done (no refetch loop)', () => {
    const announced = reduceChange(
      initialState(TEST_PROVIDER, 'ref-1', NOW),
      { kind: 'callback', event: provider('PROCESSED', { status: 'SUBMITTED', retrieve: true }) },
      ctx,
    ).state;
    expect(announced.wait.resultAnnounced).toBe(true);
    const unknown = provider(
      'PROCESSED/NEW_TYPE',
      { status: 'ACTION_REQUIRED', attention: 'unknown_decision', unknownWord: 'NEW_TYPE' },
      'poll',
    );
    const answered = reduceChange(
      announced,
      { kind: 'polled', purpose: 'announced', result: { answer: unknown } },
      ctx,
    ).state;
    expect(answered).toMatchObject({ status: 'ACTION_REQUIRED', providerStatus: 'PROCESSED/NEW_TYPE' });
    expect(answered.attention).toContain('unknown_decision');
    expect(answered.wait.resultAnnounced).toBe(false);
    // The fallback polls go on as scheduled.
    expect(answered.wait.nextPollAt).toBe(announced.wait.nextPollAt);
    // An answer without an unknown word (as every recorded history has) leaves the announcement as it was.
    const known = provider('PROCESSED/ASKS', { status: 'ACTION_REQUIRED', attention: 'outcome_unclear' }, 'poll');
    const kept = reduceChange(
      announced,
      { kind: 'polled', purpose: 'announced', result: { answer: known } },
      ctx,
    ).state;
    expect(kept.wait.resultAnnounced).toBe(true);
  });

  it('the wait follows its rules: a callback restarts the grace, a refresh makes a poll due now', () => {
    const later = '2026-01-01T01:00:00.000Z';
    const spoke = reduceChange(
      initialState(TEST_PROVIDER, 'ref-1', NOW),
      { kind: 'callback', event: provider('STARTED', { status: 'IN_PROGRESS' }) },
      { ...ctx, now: later },
    ).state;
    expect(spoke.lastCallbackAt).toBe(later);
    expect(Date.parse(spoke.wait.nextPollAt) - Date.parse(later)).toBe(TEST_POLICY.callbackGraceMs);
    const refreshed = reduceChange(spoke, { kind: 'refresh-requested' }, ctx).state;
    expect(refreshed.wait.nextPollAt).toBe(NOW);
    const postponed = reduceChange(
      spoke,
      { kind: 'deadline-reached', check: { failure: 'ProviderUnavailable' } },
      ctx,
    ).state;
    expect(postponed.status).toBe('IN_PROGRESS');
    expect(postponed.wait.expiryChecks).toBe(1);
    expect(postponed.timeline.slice(-2).map((e) => e.outcome)).toEqual(['poll-failed', 'postponed']);
    const ended = reduceChange(postponed, { kind: 'lifetime-ended' }, ctx).state;
    expect(ended).toMatchObject({ status: 'EXPIRED', providerStatus: 'MAX_LIFETIME_REACHED' });
    expect(ended.attention).toContain('max_lifetime_reached');
  });
});
