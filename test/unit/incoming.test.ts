/**
 * What arrives as a signal's argument is read into the model's types before the reducer sees it
 * (src/verification/incoming.ts). Property: for any JSON value, reading never throws, the change
 * it gives reduces without throwing, and the state stays valid; a well-formed value reads back
 * as itself.
 */
import fc from 'fast-check';
import { DECISIONS, STATUSES, type VerificationEvent, type VerificationState } from '../../src/verification/model';
import { readCancellation, readProviderEvent, readRegistration } from '../../src/verification/incoming';
import { MALFORMED_SIGNAL, reduce, type VerificationChange } from '../../src/verification/reducer';
import { TEST_POLICY } from '../support/policy';
import { PROTOTYPE_WORDS } from '../support/hostile-bodies';
import { initialState } from '../../src/verification/initial-state';
import { PROVIDERS } from '../../src/providers/registry';

const NOW = '2026-01-01T00:00:00.000Z';
const EXPECTED = { provider: 'jumio' as const, reference: 'ref-1' };

const word = fc.oneof(fc.constantFrom(...PROTOTYPE_WORDS), fc.string({ maxLength: 12 }));
/** Dates at and past the edges of what Date and ISO 8601 can hold. */
const edgeDate = fc.constantFrom(
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2025-02-30T25:61:61',
);
const registration = fc.record(
  {
    expiresAt: fc.oneof(
      edgeDate,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    customerReference: word,
    notifyWorkflowId: word,
    context: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

const meaning = fc.record(
  {
    status: fc.constantFrom(...STATUSES),
    decision: fc.constantFrom(...DECISIONS),
    retrieve: fc.boolean(),
    informational: fc.boolean(),
    attention: word,
    unknownWord: word,
  },
  { requiredKeys: [] },
);
const wellFormed: fc.Arbitrary<VerificationEvent> = fc.record(
  {
    provider: fc.constant(EXPECTED.provider),
    reference: fc.constant(EXPECTED.reference),
    providerStatus: word,
    source: fc.constantFrom('callback', 'poll', 'timer', 'app'),
    dedupKey: word,
    meaning,
    occurredAt: fc.oneof(
      edgeDate,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    detail: word,
    context: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['provider', 'reference', 'providerStatus', 'source', 'dedupKey', 'meaning'] },
);

/** A well-formed event with one member replaced by any JSON value (or removed), or any JSON value at all. */
const anyArgument: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  registration,
  wellFormed.map((event) => ({ ...event, occurredAt: undefined })),
  fc
    .tuple(
      wellFormed,
      fc.constantFrom(
        'provider',
        'reference',
        'providerStatus',
        'source',
        'dedupKey',
        'meaning',
        'occurredAt',
        'detail',
        'context',
      ),
      fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    )
    .map(([event, key, value]) => ({ ...event, [key]: value })),
  fc
    .tuple(
      wellFormed,
      fc.constantFrom('status', 'decision', 'retrieve', 'attention', 'unknownWord'),
      fc.oneof(word, fc.jsonValue({ maxDepth: 1 })),
    )
    .map(([event, key, value]) => ({ ...event, meaning: { ...event.meaning, [key]: value } })),
);

function start(): VerificationState {
  return initialState('jumio', 'ref-1', NOW, TEST_POLICY);
}

function reduced(state: VerificationState, change: VerificationChange): VerificationState {
  return reduce(state, change, { now: NOW, policy: TEST_POLICY, random: () => 0.5 }).state;
}

it('reads any JSON value without throwing, and the reducer is total over what it gives', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('providerEvent', 'register', 'cancel'), anyArgument), { maxLength: 8 }),
      (signals) => {
        let state = start();
        for (const [signal, value] of signals) {
          const change: VerificationChange =
            signal === 'providerEvent'
              ? toChange(readProviderEvent(value, EXPECTED), (event) => ({ kind: 'callback', event }), signal)
              : signal === 'register'
                ? toChange(readRegistration(value), (registration) => ({ kind: 'registered', registration }), signal)
                : toChange(readCancellation(value), (request) => ({ kind: 'cancel-requested', ...request }), signal);
          const before = state.timeline.length;
          state = reduced(state, change);
          expect(STATUSES).toContain(state.status);
          if (state.decision !== undefined) expect(DECISIONS).toContain(state.decision);
          if (change.kind === 'malformed') {
            expect(state.timeline.length).toBe(before + 1);
            expect(state.attention).toContain(MALFORMED_SIGNAL);
          }
          // Everything kept is JSON: the state crosses Temporal's payload converter unchanged.
          expect(JSON.parse(JSON.stringify(state))).toEqual(state);
        }
      },
    ),
    { numRuns: 500, seed: 20261206 },
  );
});

it('a well-formed event reads back as itself, and only its defined members are kept', () => {
  fc.assert(
    fc.property(wellFormed, (event) => {
      const read = readProviderEvent({ ...event, extra: { nested: true } }, EXPECTED);
      expect(read).toEqual({ ok: true, value: event });
    }),
    { numRuns: 300, seed: 20261207 },
  );
});

it('names the problem, never the value', () => {
  const secret = 'jane.doe@example.com';
  const read = readProviderEvent({ provider: 'jumio', reference: 'ref-1', providerStatus: { secret } }, EXPECTED);
  expect(read).toEqual({ ok: false, problem: 'providerStatus is not a text' });
  expect(readProviderEvent({ ...sample(), reference: secret }, EXPECTED)).toEqual({
    ok: false,
    problem: 'the event names another verification',
  });
  for (const provider of PROVIDERS.filter((p) => p !== 'jumio')) {
    expect(readProviderEvent({ ...sample(), provider }, EXPECTED).ok).toBe(false);
  }
  expect(readCancellation(undefined)).toEqual({ ok: true, value: {} });
  expect(readRegistration({ context: JSON.parse('{"__proto__":{"a":"b"}}') as unknown })).toEqual({
    ok: false,
    problem: 'context has a key that is not a name',
  });
});

function sample(): VerificationEvent {
  return {
    provider: 'jumio',
    reference: 'ref-1',
    providerStatus: 'ACQUIRED',
    source: 'callback',
    dedupKey: 'callback:ACQUIRED',
    meaning: { status: 'SUBMITTED' },
  };
}

function toChange<T>(
  read: { ok: true; value: T } | { ok: false; problem: string },
  change: (value: T) => VerificationChange,
  signal: 'providerEvent' | 'register' | 'cancel',
): VerificationChange {
  return read.ok ? change(read.value) : { kind: 'malformed', signal, problem: read.problem };
}
