/**
 * The verdict pushed to the app when a verification ends: a Standard Webhooks POST to
 * KYC_NOTIFY_URL (`webhook-id`, `webhook-timestamp`, `webhook-signature`) whose JSON body is
 * `{ type, timestamp, data }`.
 */
import type { VerificationState } from '../verification/model';

export const NOTIFY_EVENT_TYPE = 'kyc.verification.finished';
/**
 * A provisional decision: the provider decided something it will revisit (a REVIEW with its case
 * open, say). The verification is still open (ACTION_REQUIRED, `provisional` set); the final
 * decision comes as `kyc.verification.finished`, with `decisionFinal`.
 */
export const PROVISIONAL_EVENT_TYPE = 'kyc.verification.provisional';

export interface NotifyInput {
  /** The final state. It holds provider IDs and status words only, no personal data, by design. */
  state: VerificationState;
  /**
   * The same for every attempt of one notification (e.g. derived from the workflow ID), so the
   * app can drop a delivery it has already processed.
   */
  webhookId: string;
  /** Absent: the end (`kyc.verification.finished`). */
  type?: typeof PROVISIONAL_EVENT_TYPE;
}

/**
 * The JSON body, in the Standard Webhooks payload shape `{ type, timestamp, data }`: the end, or a
 * provisional decision (the state is then open: ACTION_REQUIRED with `provisional`).
 */
export interface NotifyPayload {
  type: typeof NOTIFY_EVENT_TYPE | typeof PROVISIONAL_EVENT_TYPE;
  timestamp: string;
  /** The state without `seen`, the workflow's internal dedup keys (up to 2000 of them). */
  data: Omit<VerificationState, 'seen'>;
}
