/**
 * What a verification bills for what it does (patch `kyc-lean`): no search-attribute upsert that
 * rewrites what its start set, and no timer for a wait that arrivals already ended. Started the way
 * the ingress starts it (signal-with-start, provider and `PENDING` set at start), on the
 * time-skipping test server; the billed actions are counted by Temporal's rules (bench/cost/actions.ts).
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { actionsOf } from '../../bench/cost/actions';
import { KycDecision, KycProvider, KycStatus, kycWorkflowId } from '../../src/contracts';
import { signalProviderEvent } from '../../src/temporal/verification-start';
import type { VerificationState } from '../../src/verification/model';
import { callback, FAKE_PROVIDER, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const handle = (reference: string) => bench.env.client.workflow.getHandle(kycWorkflowId(FAKE_PROVIDER, reference));
const EventType = temporal.api.enums.v1.EventType;

const PENDING = { status: 'PENDING' } as const;
const PASSED = { status: 'COMPLETED', decision: 'APPROVED' } as const;

/** Each search-attribute upsert's values, except the SDK's own TemporalChangeVersion ones. */
async function upserts(reference: string): Promise<Record<string, unknown>[]> {
  const { events } = await handle(reference).fetchHistory();
  return events!
    .filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((e) => e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!)
    .filter((fields) => !('TemporalChangeVersion' in fields))
    .map((fields) =>
      Object.fromEntries(Object.entries(fields).map(([key, p]) => [key, JSON.parse(Buffer.from(p.data!).toString())])),
    );
}

async function timersStarted(reference: string): Promise<number> {
  const { events } = await handle(reference).fetchHistory();
  return events!.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED).length;
}

it('decided by the callback that started it: no timer, one upsert (the verdict)', async () => {
  const ref = randomUUID();
  const final = await bench.withWorker(async () => {
    await signalProviderEvent(bench.env.client, bench.taskQueue, callback(ref, 'PASSED', PASSED, 1), POLICY);
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  expect(await timersStarted(ref)).toBe(0);
  expect(await upserts(ref)).toEqual([{ KycStatus: 'COMPLETED', KycDecision: 'APPROVED' }]);
  const { billed } = actionsOf(await handle(ref).fetchHistory());
  expect(billed).toMatchObject({ timer: 0, searchAttributeUpsert: 1, markerTasks: 1 });
});

it('a first callback that leaves it pending rewrites nothing its start set', async () => {
  const ref = randomUUID();
  const final = await bench.withWorker(async () => {
    await signalProviderEvent(bench.env.client, bench.taskQueue, callback(ref, 'RECEIVED', PENDING, 1), POLICY);
    await waitFor(async () => (await handle(ref).query<VerificationState>('state')).timeline.length === 1);
    await bench.callback(ref, callback(ref, 'PASSED', PASSED, 2));
    return bench.result(ref);
  });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  expect(await upserts(ref)).toEqual([{ KycStatus: 'COMPLETED', KycDecision: 'APPROVED' }]);
  // The wait between the two callbacks still has its timer.
  expect(await timersStarted(ref)).toBe(1);
  const { typedSearchAttributes } = await handle(ref).describe();
  expect(typedSearchAttributes.get(KycProvider)).toBe(FAKE_PROVIDER);
  expect(typedSearchAttributes.get(KycStatus)).toBe('COMPLETED');
  expect(typedSearchAttributes.get(KycDecision)).toBe('APPROVED');
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
