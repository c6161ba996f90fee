/**
 * Tells the app that a provider's verdict arrived after our own timer had closed the verification
 * (src/late-verdicts/): a Standard Webhooks push of type `kyc.verification.late_verdict`, retried
 * until the app's receiver accepts it. Its own workflow, because the verification has closed.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { LateVerdictNotifier, LateVerdictNotification, LateVerdictNotificationEnd } from '../contracts';

// As the verdict push (app-notification.ts): a receiver that is down delays it, never loses it.
const { notifyAppOfLateVerdict } = proxyActivities<LateVerdictNotifier>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
});

export async function lateVerdictNotificationWorkflow({
  data,
}: LateVerdictNotification): Promise<LateVerdictNotificationEnd> {
  try {
    // One webhook ID per letter, so the app de-duplicates the retries.
    await notifyAppOfLateVerdict({ data, webhookId: `${data.deadLetterId}:late_verdict` });
    return { delivered: true };
  } catch {
    // Only a permanent refusal gets here (the receiver's 4xx, notification off on this worker);
    // the letter and the alert remain.
    return { delivered: false };
  }
}
