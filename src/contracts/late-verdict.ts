/**
 * The contract of late verdicts: what a late verdict is recorded with, and the small workflow per
 * late-verdict letter (`kyc-late:<provider>:<reference>:<fingerprint>`), started by the ingress,
 * that pushes the `kyc.verification.late_verdict` event to the app with the notification
 * activity's retries. Workflow-safe (no Node built-ins).
 */
import type { InferredEnd } from '../verification/late-verdict';
import type { Status, VerificationState } from '../verification/model';

export const LATE_VERDICT_WORKFLOW_TYPE = 'lateVerdictNotificationWorkflow';
/** A provider's verdict arrived after our own timer had closed the verification (src/late-verdicts/). */
export const LATE_VERDICT_EVENT_TYPE = 'kyc.verification.late_verdict';

/** What a late verdict is recorded with: status words and IDs only, no personal data. */
export interface LateVerdictNote {
  /** How our timer had closed the verification. */
  inferredEnd: InferredEnd;
  /** The status we had inferred (EXPIRED). */
  inferredStatus: Status;
  /** When the verification closed. */
  closedAt?: string;
  verdicts: { providerStatus: string; status?: Status; decision?: string; occurredAt?: string; retrieve?: boolean }[];
}

/** What the app learns of a late verdict: IDs and status words only, like the final state. */
export interface LateVerdictData {
  provider: VerificationState['provider'];
  reference: string;
  verificationId: string;
  /** The dead letter that holds the late events (`kyc-dead:…`); `kyc reopen` asks the provider again. */
  deadLetterId: string;
  /** What the verification still says: the status our timer inferred, and why. */
  status: VerificationState['status'];
  note: LateVerdictNote;
  receivedAt: string;
}

export interface LateVerdictNotifyInput {
  data: LateVerdictData;
  webhookId: string;
}

/** The JSON body of a late-verdict notification, in the Standard Webhooks payload shape. */
export interface LateVerdictPayload {
  type: typeof LATE_VERDICT_EVENT_TYPE;
  timestamp: string;
  data: LateVerdictData;
}

export interface LateVerdictNotification {
  data: LateVerdictData;
}

/** What the app's push came to: delivered, or refused for good (the receiver's 4xx, notification off). */
export interface LateVerdictNotificationEnd {
  delivered: boolean;
}

/** The late-verdict notification workflow's signature, for typed starts. */
export type LateVerdictNotificationWorkflow = (input: LateVerdictNotification) => Promise<LateVerdictNotificationEnd>;

/**
 * One per late-verdict letter: the same callback sent again is the same letter, hence the same
 * notification (the letter's fingerprint ends both IDs).
 */
export function lateVerdictWorkflowId(provider: string, reference: string, deadLetterId: string): string {
  const fingerprint = deadLetterId.split(':').at(-1) ?? deadLetterId;
  return `kyc-late:${provider}:${reference}:${fingerprint}`;
}
