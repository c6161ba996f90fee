/**
 * A probe for the per-provider retrieval queues: schedules many provider calls at once on one
 * queue, as thousands of verifications waking together would, and waits for all of them.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { KycActivities } from '../../../src/activities';

export async function rateProbeWorkflow(queue: string, provider: string, calls: number): Promise<number> {
  const { pollProvider } = proxyActivities<KycActivities>({ taskQueue: queue, startToCloseTimeout: '5m' });
  await Promise.all(
    Array.from({ length: calls }, (_, i) =>
      pollProvider({ provider, reference: `probe-${i}`, context: {}, expectResult: false }),
    ),
  );
  return calls;
}
