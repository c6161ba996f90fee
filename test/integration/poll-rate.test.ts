import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { retrievalTaskQueue } from '../../src/contracts';
import type { VerificationEvent } from '../../src/verification/model';
import { createRetrievalWorkers } from '../../src/worker';
import { startTemporal, testConfig } from '../support/stack';

/**
 * Polling never exceeds a provider's configured rate: a burst of provider calls scheduled at
 * once on a provider's retrieval queue is served by the rate-limited worker (the server enforces
 * `maxTaskQueueActivitiesPerSecond`), never faster than JUMIO_MAX_POLLS_PER_SECOND, and every
 * call is served.
 */
describe('per-provider retrieval rate limit (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTemporal();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('serves a burst of 45 calls at 3 a second (after the limiter’s initial burst), every one served', async () => {
    const limit = 3;
    const config = testConfig(
      { KYC_PROVIDERS: 'jumio', JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1', JUMIO_MAX_POLLS_PER_SECOND: String(limit) },
      env.address,
    );
    const callTimes: number[] = [];
    const retrieve = async (reference: string): Promise<VerificationEvent> => {
      callTimes.push(Date.now());
      return {
        provider: 'jumio',
        reference,
        providerStatus: 'ACQUIRED',
        source: 'poll',
        dedupKey: 'poll:ACQUIRED',
        meaning: {},
      };
    };
    const [retrievalWorker] = await createRetrievalWorkers(config, env.nativeConnection, {
      retrieval: { jumio: { retrieve } },
    });
    const probeQueue = `probe-${randomUUID()}`;
    const probe = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: probeQueue,
      workflowsPath: require.resolve('../support/workflows/rate-probe'),
    });
    const calls = 45;
    const done = env.client.workflow.execute('rateProbeWorkflow', {
      taskQueue: probeQueue,
      workflowId: `probe-${randomUUID()}`,
      args: [retrievalTaskQueue(config.temporal.taskQueue, 'jumio'), calls],
    });
    await Promise.all([retrievalWorker!.runUntil(done), probe.runUntil(done)]);
    expect(callTimes).toHaveLength(calls);
    // The most calls started within any one second.
    const peak = Math.max(...callTimes.map((start) => callTimes.filter((t) => t >= start && t < start + 1000).length));
    const spanSeconds = (Math.max(...callTimes) - Math.min(...callTimes)) / 1000;
    // The server dispatches at the rate after an initial burst (a token bucket; allow up to three
    // seconds' worth), so the calls cannot all be served sooner. A loaded machine only makes the run
    // longer (and may bunch a few starts together on the worker's side, so the peak is reported only).
    expect(spanSeconds).toBeGreaterThanOrEqual((calls - 3 * limit) / limit);
    process.stdout.write(
      `poll rate: ${calls} calls in ${spanSeconds.toFixed(1)} s, peak ${peak} in one second, limit ${limit}\n`,
    );
  });
});
