/**
 * Telling the app that a verification ended, without it polling: an HTTP notification (sent by
 * the `notifyApp` activity, signed the Standard Webhooks way) and/or a signal to the app's own
 * workflow named at start.
 */
import { getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { VerificationState } from '../verification/model';
import type { VerificationChange } from '../verification/reducer';
import { verificationFinishedSignal, type AppNotifier } from '../contracts';

// Retried until the app's receiver accepts it: a receiver that is down delays the push, never loses it.
const { notifyApp } = proxyActivities<AppNotifier>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
});

/** Pushes the final state wherever the app asked for it; returns the changes to record on the timeline. */
export async function tellTheApp(
  state: VerificationState,
  webhook: boolean,
  occasion: 'finished' | 'late_verdict' = 'finished',
): Promise<VerificationChange[]> {
  const told: VerificationChange[] = [];
  if (webhook) {
    let delivered = true;
    try {
      // One ID per verification's end, so a receiver de-duplicates the retries. A run reset by
      // `kyc reopen` (src/late-verdicts/reopen.ts) ends a second time: its own ID, or a
      // de-duplicating receiver would drop the provider's verdict as a copy of our EXPIRED.
      const { workflowId, runId, originalExecutionRunId } = workflowInfo();
      // A verdict that came while the app was being told is told again, under its own ID.
      const end = runId === originalExecutionRunId && occasion === 'finished' ? occasion : `${occasion}:${runId}`;
      await notifyApp({ state, webhookId: `${workflowId}:${end}` });
    } catch {
      // Only a permanent refusal gets here (the receiver's 4xx, notification off on this worker):
      // the verdict stands, and the timeline says the push was not delivered.
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'webhook', delivered });
  }
  if (state.notifyWorkflowId) {
    let delivered = true;
    try {
      await getExternalWorkflowHandle(state.notifyWorkflowId).signal(verificationFinishedSignal, state);
    } catch {
      // The app's workflow is gone: nothing to retry; the timeline says it was not delivered.
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'workflow', delivered });
  }
  return told;
}
