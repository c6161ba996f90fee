/**
 * Probes for how long a provider call lives on a real server: one runs `pollProvider` with a short
 * startToClose and retries, one cancels it midway (as a verification that ends does).
 */
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { KycActivities } from '../../../src/activities';
import { type PollRequest } from '../../../src/contracts';

/** Every attempt runs out of time against a provider that never answers; the last failure ends the probe. */
export async function timeoutProbeWorkflow(request: PollRequest, startToCloseMs: number, attempts: number) {
  const { pollProvider } = proxyActivities<KycActivities>({
    startToCloseTimeout: startToCloseMs,
    retry: { maximumAttempts: attempts, initialInterval: '200ms', backoffCoefficient: 1 },
  });
  await pollProvider(request);
}

/** Starts the call, cancels it after `cancelAfterMs`, and returns without waiting for the activity. */
export async function cancelProbeWorkflow(request: PollRequest, cancelAfterMs: number): Promise<string> {
  const { pollProvider } = proxyActivities<KycActivities>({
    startToCloseTimeout: '1m',
    // As the verification's own calls do: heartbeats carry the cancellation to the worker.
    heartbeatTimeout: '2s',
    retry: { maximumAttempts: 1 },
  });
  const scope = new CancellationScope();
  const call = scope
    .run(() => pollProvider(request))
    .then(
      () => 'answered',
      (err: unknown) => (isCancellation(err) ? 'cancelled' : 'failed'),
    );
  await sleep(cancelAfterMs);
  scope.cancel();
  return call;
}
