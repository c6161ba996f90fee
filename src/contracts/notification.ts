/**
 * The verdict pushed to the app when a verification ends: a Standard Webhooks POST to
 * KYC_NOTIFY_URL (`webhook-id`, `webhook-timestamp`, `webhook-signature`) whose JSON body is
 * `{ type, timestamp, data }`.
 */
import type { VerificationState } from '../verification/model';

export const NOTIFY_EVENT_TYPE = 'kyc.verification.finished';

export interface NotifyInput {
  /** The final state. It holds provider IDs and status words only, no personal data, by design. */
  state: VerificationState;
  /**
   * The same for every attempt of one notification (e.g. derived from the workflow ID), so the
   * app can drop a delivery it has already processed.
   */
  webhookId: string;
}

/** The JSON body, in the Standard Webhooks payload shape `{ type, timestamp, data }`. */
export interface NotifyPayload {
  type: typeof NOTIFY_EVENT_TYPE;
  timestamp: string;
  /** The final state without `seen`, the workflow's internal dedup keys (up to 2000 of them). */
  data: Omit<VerificationState, 'seen'>;
}
