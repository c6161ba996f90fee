/**
 * On a real Temporal dev server, a provider call does not outlive its activity attempt: when the
 * attempt's startToClose runs out, its request is aborted before the retry's request starts (at
 * most one request open at a time, none once the workflow has ended); when the workflow cancels
 * the call, the cancellation reaches the worker through heartbeats and aborts the request. Shown
 * with Jumio's retrieval client (its token answered, its status request hanging).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { createJumioRetrievalClient } from '../retrieval';
import { startHangingProvider, type HangingProvider } from '../../../../test/support/hanging-provider';
import { answerJumioToken } from './token-answer';
import { startTemporal } from '../../../../test/support/stack';
import { type PollRequest } from '../../../contracts';

const GRACE_MS = 1000;

describe('provider calls end with their activity (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let provider: HangingProvider;
  beforeAll(async () => {
    env = await startTemporal({ withSearchAttributes: false });
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(async () => {
    provider = await startHangingProvider(answerJumioToken);
  });
  afterEach(() => provider?.close());

  async function withWorker<T>(run: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `deadline-${randomUUID()}`;
    const client = createJumioRetrievalClient({
      apiBaseUrl: provider.url,
      authUrl: `${provider.url}/oauth2/token`,
      clientId: 'client',
      clientSecret: 'secret',
      userAgent: 'kyc-orchestrator-test',
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../../../test/support/workflows/deadline-probe'),
      activities: createActivities({ retrieval: { jumio: client } }),
    });
    return worker.runUntil(run(taskQueue));
  }

  const request = (): PollRequest => ({
    provider: 'jumio',
    reference: randomUUID(),
    context: { accountId: randomUUID() },
    expectResult: false,
  });
  const statusRequests = () => provider.received.filter((r) => r.endsWith('/status')).length;

  it('aborts each timed-out attempt before its retry calls again', async () => {
    const attempts = 3;
    const outcome = await withWorker((taskQueue) =>
      env.client.workflow
        .execute('timeoutProbeWorkflow', {
          taskQueue,
          workflowId: `timeout-probe-${randomUUID()}`,
          args: [request(), 3000, attempts],
        })
        .catch((err: unknown) => err),
    );
    expect(outcome).toBeInstanceOf(WorkflowFailedError);
    expect(statusRequests()).toBe(attempts);
    // Never an abandoned attempt's request beside its retry's (one token request, answered at once).
    expect(provider.peakOpen()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
    expect(provider.open()).toBe(0);
  });

  it('aborts the request of a call the workflow cancels', async () => {
    const { answer, stillOpen } = await withWorker(async (taskQueue) => {
      const result: string = await env.client.workflow.execute('cancelProbeWorkflow', {
        taskQueue,
        workflowId: `cancel-probe-${randomUUID()}`,
        args: [request(), 1500],
      });
      expect(statusRequests()).toBe(1);
      // The cancellation arrives with the answer to a heartbeat (at most every 1.6 s here).
      const returned = Date.now();
      const deadline = returned + 5000;
      while (provider.open() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      process.stdout.write(
        `cancelled provider call: request closed ${Date.now() - returned} ms after the workflow returned\n`,
      );
      // Read before the worker shuts down: its shutdown would end the activity too.
      return { answer: result, stillOpen: provider.open() };
    });
    expect(answer).toBe('cancelled');
    expect(stillOpen).toBe(0);
  });
});
