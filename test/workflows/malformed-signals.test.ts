/**
 * Signals are untyped on the wire: whatever JSON arrives as a signal's argument (or as a provider
 * call's answer), the workflow records it and carries on. Raw payloads straight to the workflow,
 * on the time-skipping test server with a scripted fake provider; the history must hold no
 * failed workflow task.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { KycAttention, kycWorkflowId, stateQuery } from '../../src/contracts';
import { failedWorkflowTasks } from '../support/hostile-bodies';
import { answer, callback, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const handle = (reference: string): WorkflowHandle =>
  bench.env.client.workflow.getHandle(kycWorkflowId('jumio', reference));

const STARTED = { status: 'IN_PROGRESS' } as const;
const PASSED = { status: 'COMPLETED', decision: 'APPROVED' } as const;

/** Provider events the model cannot read: wrong types, missing fields, words named after Object.prototype members. */
function malformedEvents(reference: string): unknown[] {
  const base = callback(reference, 'ACQUIRED', { status: 'SUBMITTED' }, 2) as unknown as Record<string, unknown>;
  const { meaning: _meaning, ...withoutMeaning } = base;
  return [
    null,
    42,
    'PROCESSED',
    [],
    {},
    { provider: 'jumio' },
    // What a Jumio status `constructor` became on its way through a plain-object lookup and JSON: no meaning.
    { ...withoutMeaning, providerStatus: 'constructor', dedupKey: 'callback:constructor' },
    { ...base, providerStatus: 'toString', meaning: { status: 'toString' } },
    { ...base, providerStatus: 'hasOwnProperty', meaning: { status: 'COMPLETED', decision: 'hasOwnProperty' } },
    { ...base, providerStatus: '__proto__', meaning: 'COMPLETED' },
    { ...base, meaning: { status: 'COMPLETED', retrieve: 'yes' } },
    { ...base, meaning: { attention: { code: 'x' } } },
    { ...base, providerStatus: 7 },
    { ...base, source: 'elsewhere' },
    { ...base, occurredAt: 20260101 },
    { ...base, dedupKey: { key: 'x' } },
    { ...base, detail: ['x'] },
    { ...base, context: 'accountId=1' },
    { ...base, context: { accountId: 7 } },
    { ...base, context: Object.defineProperty({}, '__proto__', { value: { a: 'b' }, enumerable: true }) },
    { ...base, provider: 'onfido' },
    // A well-formed event addressed to another verification.
    { ...base, reference: `${reference}-other` },
  ];
}

const MALFORMED_REGISTRATIONS: unknown[] = [
  null,
  5,
  'register',
  [],
  { expiresAt: 1_900_000_000_000 },
  { context: ['accountId'] },
  { customerReference: { id: 1 } },
];
const MALFORMED_CANCELLATIONS: unknown[] = [null, 5, 'now', [], { reason: 7 }];

it('raw malformed signals are recorded and flagged, the workflow never fails a task, and the real verdict ends it', async () => {
  const ref = randomUUID();
  // The refresh's poll answers without a meaning (as a lookup that found a function would have); then progress.
  bench.provider.script(
    ref,
    { status: 'constructor', meaning: undefined as never },
    answer('ACQUISITION_STARTED', STARTED),
  );
  const events = malformedEvents(ref);
  const sent = events.length + MALFORMED_REGISTRATIONS.length + MALFORMED_CANCELLATIONS.length;
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    const signal = async (name: string, value: unknown) => {
      await handle(ref).signal(name, value);
      // The state query answers throughout.
      expect((await handle(ref).query(stateQuery)).status).toBe('IN_PROGRESS');
    };
    for (const value of events) await signal('providerEvent', value);
    for (const value of MALFORMED_REGISTRATIONS) await signal('register', value);
    for (const value of MALFORMED_CANCELLATIONS) await signal('cancel', value);
    // A refresh takes no argument: whatever comes with it is ignored.
    await signal('refresh', { please: 'now' });
    await waitFor(async () =>
      (await handle(ref).query(stateQuery)).timeline.some((entry) => entry.outcome === 'poll-failed'),
    );
    await bench.callback(ref, callback(ref, 'DONE', PASSED, 9));
    return withTimeout(bench.result(ref), 30_000);
  });

  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'DONE' });
  const malformed = final.timeline.filter((entry) => entry.outcome === 'ignored-malformed');
  expect(malformed).toHaveLength(sent);
  expect(malformed.map((entry) => `${entry.source} ${entry.providerStatus}`)).toEqual([
    ...events.map(() => 'callback providerEvent'),
    ...MALFORMED_REGISTRATIONS.map(() => 'app register'),
    ...MALFORMED_CANCELLATIONS.map(() => 'app cancel'),
  ]);
  for (const entry of malformed) expect(entry.detail).toMatch(/ malformed_signal$/);
  // The meaningless poll answer is a bad response, recorded as such.
  expect(final.timeline).toContainEqual(
    expect.objectContaining({ source: 'poll', providerStatus: 'ProviderBadResponse', outcome: 'poll-failed' }),
  );
  expect(final.attention).toContain('malformed_signal');
  expect(final.customerReference).toBeUndefined();

  expect(failedWorkflowTasks(await handle(ref).fetchHistory())).toEqual([]);
  expect((await handle(ref).describe()).typedSearchAttributes.get(KycAttention)).toBe('malformed_signal');
});

it('well-formed signals still work as before: a registration with its context, a cancel without an argument', async () => {
  const ref = randomUUID();
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1));
    await handle(ref).signal('register', { customerReference: 'cust-1', context: { accountId: 'acc-1' } });
    await handle(ref).signal('cancel');
    return withTimeout(bench.result(ref), 30_000);
  });
  expect(final).toMatchObject({ status: 'CANCELLED', customerReference: 'cust-1', context: { accountId: 'acc-1' } });
  expect(final.timeline.some((entry) => entry.outcome === 'ignored-malformed')).toBe(false);
  expect(final.attention).toEqual([]);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A workflow whose tasks fail never returns: fail the test instead of waiting for jest's timeout. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
