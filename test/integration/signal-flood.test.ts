/**
 * Floods: one verification receiving a signal flood while the retrieval of its announced result
 * hangs stays within bounds (every run hands over at the limit, carrying state and dedup set)
 * and ends with the right verdict, every signal counted once. Real dev server; the provider is the workflow
 * tests' scripted fake (test/workflows/harness.ts), so its retrieval can hang.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId, providerEventSignal, WORKFLOW_TYPE, type VerificationInput } from '../../src/contracts';
import { callback, FakeProvider, POLICY, FAKE_PROVIDER } from '../workflows/harness';
import { testWorkflowSource } from '../support/stack';
import { useTemporal } from '../support/provider-stack';

const FLOOD = 300;
/** A low bound, so the flood forces several continue-as-new. */
const policy = { ...POLICY, maxHistoryEvents: 150 };

const server = useTemporal();

it('a flood of signals while the announced retrieval hangs: bounded history, every signal once, right verdict', async () => {
  const provider = new FakeProvider();
  const taskQueue = `flood-${randomUUID()}`;
  const ref = randomUUID();
  const workflowId = kycWorkflowId(FAKE_PROVIDER, ref);
  provider.script(ref, 'hang');
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    ...testWorkflowSource(),
    activities: provider.activities(policy),
  });
  const final = await worker.runUntil(async () => {
    const input: VerificationInput = { provider: FAKE_PROVIDER, reference: ref, policy };
    const started = await server.env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      signal: providerEventSignal,
      signalArgs: [callback(ref, 'PROCESSED', { status: 'SUBMITTED', retrieve: true }, 0)],
    });
    const handle = server.env.client.workflow.getHandle(workflowId);
    for (let i = 1; i <= FLOOD; i++) {
      await handle.signal(providerEventSignal, callback(ref, `STEP_${i}`, { status: 'SUBMITTED' }, i));
      // A resend of every tenth: a duplicate, never counted twice.
      if (i % 10 === 0)
        await handle.signal(providerEventSignal, callback(ref, `STEP_${i}`, { status: 'SUBMITTED' }, i));
    }
    // The flood alone passes the limit; the verdict waits for the hand-over, or a slow worker could
    // take the verdict in the very task that reached the limit and finish without continuing.
    await untilContinuedAsNew(server.env.client, workflowId, started.signaledRunId);
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

  // Several runs: the flood forced continue-as-new, and every run handed over as the policy promises.
  const runs = await historiesOfEveryRun(server.env.client, workflowId);
  expect(runs.length).toBeGreaterThan(1);
  for (const events of runs) expectHandedOverAtTheLimit(events, policy.maxHistoryEvents);
  // Hundreds of signals one after the other: generous on a loaded machine.
}, 180_000);

/** Waits until the verification's current run is no longer `firstRunId`. */
async function untilContinuedAsNew(client: Client, workflowId: string, firstRunId: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await client.workflow.getHandle(workflowId).describe()).runId === firstRunId) {
    if (Date.now() > deadline) throw new Error('the flood never made the verification continue as new');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Every run of a workflow ID, oldest first, following each run's `continuedExecutionRunId` back. */
async function historiesOfEveryRun(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  do {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  } while (runId);
  return runs;
}

const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

/**
 * The policy's promise: the first workflow task that starts at or past the limit (twice
 * `maxHistoryEvents` while a provider call is in flight) hands the state to a new run. Signals
 * may still arrive during the hand-over: the server then refuses the task's completion
 * (UNHANDLED_COMMAND) and the next task hands over again, with them. On a slow worker, more signals
 * than the server buffers may arrive while a task runs: the server fails that task itself
 * (FORCE_CLOSE_COMMAND, its buffered-events limit) and schedules another. Neither is our code
 * failing, and no other cause may appear. So after the deciding task,
 * the run completes exactly one workflow task, the hand-over, and nothing follows it but the
 * cancelled call and the run's end. Arrivals add their own events; their number depends on the
 * sender, and Temporal's own history limit bounds it.
 */
function expectHandedOverAtTheLimit(events: HistoryEvent[], maxHistoryEvents: number): void {
  const limit = 2 * maxHistoryEvents;
  const refusals = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  const serverRefusals = [
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  ];
  for (const refused of refusals) {
    expect(serverRefusals).toContain(refused.workflowTaskFailedEventAttributes?.cause);
  }
  const decidingTask = events.findIndex(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && Number(e.eventId) >= limit,
  );
  if (decidingTask < 0) return;
  const after = events.slice(decidingTask);
  const completed = after.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  expect(completed).toHaveLength(1);
  const handOver = after.slice(after.indexOf(completed[0]!) + 1).map((e) => EventType[e.eventType!]);
  expect(handOver.filter((type) => type !== 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')).toEqual(
    expect.arrayContaining([expect.stringMatching(/CONTINUED_AS_NEW|EXECUTION_COMPLETED/)]),
  );
  expect(handOver.every((type) => HAND_OVER_EVENTS.has(type))).toBe(true);
}

/** What a hand-over's own task records: the call in flight cancelled, the run's end; signals may still land. */
const HAND_OVER_EVENTS = new Set([
  'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED',
  'EVENT_TYPE_TIMER_CANCELED',
  'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
]);
