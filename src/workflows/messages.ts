/**
 * The contract between the ingress, app code and the verification workflow: IDs, signals,
 * queries and payload types. Both sides import this module; neither imports the other.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { isProviderId, type ProviderId, type VerificationEvent, type VerificationState } from '../verification/model';

export const DEFAULT_TASK_QUEUE = 'kyc-verifications';
export const WORKFLOW_TYPE = 'verificationWorkflow';

/** The workflow ID of a verification: `kyc:<provider>:<reference>`, the provider's own transaction ID. */
export function kycWorkflowId(provider: ProviderId, reference: string): string {
  return `kyc:${provider}:${reference}`;
}

/** The inverse of {@link kycWorkflowId}; undefined when the ID is not one of ours. */
export function parseKycWorkflowId(workflowId: string): { provider: ProviderId; reference: string } | undefined {
  const match = /^kyc:([a-z]+):(.+)$/.exec(workflowId);
  if (!match || !isProviderId(match[1]!)) return undefined;
  return { provider: match[1], reference: match[2]! };
}

/** Timing of one provider's verifications, from configuration, fixed when the workflow starts. */
export interface VerificationPolicy {
  /** Silence after the last callback (or the start) before fallback polling begins. */
  callbackGraceMs: number;
  /** Delays between fallback polls; after the last one, one poll a day. */
  pollScheduleMs: number[];
  /** Lifetime when the app gives no expiry. */
  expiresAfterMs: number;
  /** Continue-as-new once history passes this many events (the server's own suggestion also counts). */
  maxHistoryEvents: number;
  /** Backoff for fetching an announced result: first retry after this long, doubling up to the maximum. */
  retrievalRetryInitialMs: number;
  retrievalRetryMaximumMs: number;
}

/** What the app says when it starts (or registers) a verification. */
export interface AppRegistration {
  expiresAt?: string;
  /** The app's own opaque customer reference: an ID, never personal data. */
  customerReference?: string;
  /** Non-personal identifiers the provider's retrieval API needs (e.g. Jumio `accountId`). */
  context?: Record<string, string>;
  /** A workflow of the app's to signal (`kycVerificationFinished`, with the final state) when the verification ends. */
  notifyWorkflowId?: string;
}

export interface VerificationInput {
  provider: ProviderId;
  reference: string;
  policy: VerificationPolicy;
  /** Carried across continue-as-new. */
  carried?: VerificationState;
  carriedProgress?: WaitProgress;
}

/** Where the wait stood when the workflow continued as new. */
export interface WaitProgress {
  /** Start of the current silence: the last callback, or the start. */
  quietSince: string;
  /** How many fallback polls were made in this silence. */
  pollAttempt: number;
  /** A callback announced a result that still has to be retrieved. */
  resultAnnounced: boolean;
  /** A later expiry check, after the provider could not confirm at the deadline. */
  nextExpiryCheckAt?: string;
  /** How many deadline checks were postponed (drives their backoff). */
  expiryChecks?: number;
}

export const providerEventSignal = defineSignal<[VerificationEvent]>('providerEvent');
export const registerSignal = defineSignal<[AppRegistration]>('register');
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
/** Ask the provider now, outside the polling schedule (`kyc refresh`). */
export const refreshSignal = defineSignal('refresh');
export const stateQuery = defineQuery<VerificationState>('state');
