/**
 * Floods: one verification receiving a signal flood while the retrieval of its announced result
 * hangs stays within bounds (it continues as new, carrying state and dedup set) and ends with
 * the right verdict, every signal counted once. Real dev server; the provider is the workflow
 * tests' scripted fake (test/workflows/harness.ts), so its retrieval can hang.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { VerificationState } from '../../src/verification/model';
import {
  kycWorkflowId,
  providerEventSignal,
  WORKFLOW_TYPE,
  type VerificationInput,
} from '../../src/workflows/messages';
import { callback, FakeProvider, POLICY } from '../workflows/harness';
import { startTemporal, testWorkflowSource } from '../support/stack';

const FLOOD = 300;
/** A low bound, so the flood forces several continue-as-new. */
const policy = { ...POLICY, maxHistoryEvents: 150 };

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTemporal();
});
afterAll(async () => {
  await env?.teardown();
});

it('a flood of signals while the announced retrieval hangs: bounded history, every signal once, right verdict', async () => {
  const provider = new FakeProvider();
  const taskQueue = `flood-${randomUUID()}`;
  const ref = randomUUID();
  const workflowId = kycWorkflowId('jumio', ref);
  provider.script(ref, 'hang');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...testWorkflowSource(),
    activities: provider.activities(policy),
  });
  const final = await worker.runUntil(async () => {
    const input: VerificationInput = { provider: 'jumio', reference: ref, policy };
    await env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      signal: providerEventSignal,
      signalArgs: [callback(ref, 'PROCESSED', { status: 'SUBMITTED', retrieve: true }, 0)],
    });
    const handle = env.client.workflow.getHandle(workflowId);
    for (let i = 1; i <= FLOOD; i++) {
      await handle.signal(providerEventSignal, callback(ref, `STEP_${i}`, { status: 'SUBMITTED' }, i));
      // A resend of every tenth: a duplicate, never counted twice.
      if (i % 10 === 0)
        await handle.signal(providerEventSignal, callback(ref, `STEP_${i}`, { status: 'SUBMITTED' }, i));
    }
    const done = callback(ref, 'DONE', { status: 'COMPLETED', decision: 'APPROVED' }, FLOOD + 1);
    await handle.signal(providerEventSignal, done);
    const state = (await handle.result()) as VerificationState;
    provider.release();
    return state;
  });

  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'DONE' });
  // Every signal is in the carried dedup set exactly once, across all the runs.
  const keys = final.seen.filter((key) => key.startsWith('callback:'));
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(FLOOD + 2);
  expect(final.timeline.length).toBeLessThanOrEqual(200);

  // The last run was continued from an earlier one, and its own history stayed near the bound.
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
  expect(history.events!.length).toBeLessThan(policy.maxHistoryEvents * 2);
});
