/**
 * The contract of late-verdict notifications: one small workflow per late-verdict letter
 * (`kyc-late:<provider>:<reference>:<fingerprint>`), started by the ingress, that pushes the
 * `kyc.verification.late_verdict` event to the app with the notification activity's retries.
 * Imported by the ingress and the workflow; workflow-safe (no Node built-ins).
 */
import type { LateVerdictData } from '../activities/notify';
import type { ProviderId } from '../verification/model';

export const LATE_VERDICT_WORKFLOW_TYPE = 'lateVerdictNotificationWorkflow';

export interface LateVerdictNotification {
  data: LateVerdictData;
}

/** What the app's push came to: delivered, or refused for good (the receiver's 4xx, notification off). */
export interface LateVerdictNotificationEnd {
  delivered: boolean;
}

/**
 * One per late-verdict letter: the same callback sent again is the same letter, hence the same
 * notification (the letter's fingerprint ends both IDs).
 */
export function lateVerdictWorkflowId(provider: ProviderId, reference: string, deadLetterId: string): string {
  const fingerprint = deadLetterId.split(':').at(-1) ?? deadLetterId;
  return `kyc-late:${provider}:${reference}:${fingerprint}`;
}
