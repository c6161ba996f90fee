/**
 * The contract between the ingress, app code and the verification workflow: its type, IDs,
 * signals, queries and input. Every side imports it (through src/contracts/index.ts); none imports
 * another side's implementation.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AppRegistration, VerificationEvent, VerificationPolicy, VerificationState } from '../verification/model';

export const DEFAULT_TASK_QUEUE = 'kyc-verifications';
export const WORKFLOW_TYPE = 'verificationWorkflow';

/**
 * The workflow's patches (`patched()`), oldest first. A run started before one takes its old branch
 * for as long as it is open; `kyc setup --check-patches` lists those runs, so an operator knows when
 * the old branch can go (docs/deprecating-patches.md).
 */
export const ATTENTION_PATCH = 'kyc-attention';
export const WAKE_TIMER_PATCH = 'kyc-wake-timer';
export const PROVISIONAL_PATCH = 'kyc-provisional';
export const LEAN_PATCH = 'kyc-lean';
export const WORKFLOW_PATCHES = [ATTENTION_PATCH, WAKE_TIMER_PATCH, PROVISIONAL_PATCH, LEAN_PATCH] as const;

/** The workflow ID of a verification: `kyc:<provider>:<reference>`, the provider's own transaction ID. */
export function kycWorkflowId(provider: string, reference: string): string {
  return `kyc:${provider}:${reference}`;
}

/**
 * The inverse of {@link kycWorkflowId}; undefined when the ID is not of that form. Whether the
 * provider is a registered one is the caller's check (`isProviderId`, src/providers/registry.ts).
 */
export function parseKycWorkflowId(workflowId: string): { provider: string; reference: string } | undefined {
  const match = /^kyc:([a-z][a-z0-9]*):(.+)$/.exec(workflowId);
  if (!match) return undefined;
  return { provider: match[1]!, reference: match[2]! };
}

export interface VerificationInput {
  provider: string;
  reference: string;
  /** Absent: the workflow asks the worker for its provider's policy, so starters need no provider configuration. */
  policy?: VerificationPolicy;
  /** The state carried across continue-as-new (it holds the dedup set and the wait's progress too). */
  carried?: VerificationState;
}

/** The verification workflow's signature, for typed starts and handles (the implementation is workflow code). */
export type VerificationWorkflow = (input: VerificationInput) => Promise<VerificationState>;

export const providerEventSignal = defineSignal<[VerificationEvent]>('providerEvent');
export const registerSignal = defineSignal<[AppRegistration]>('register');
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
/** Ask the provider now, outside the polling schedule (`kyc refresh`). */
export const refreshSignal = defineSignal('refresh');
export const stateQuery = defineQuery<VerificationState>('state');
/** Sent to the app's workflow named at start (`notifyWorkflowId`) when the verification ends, with the final state. */
export const verificationFinishedSignal = defineSignal<[VerificationState]>('kycVerificationFinished');
/**
 * Sent to the app's workflow when the provider gives a provisional decision (the verification
 * stays open, `provisional` set); its own name, so a workflow that handles only the end is never
 * handed a state it would read as final.
 */
export const verificationProvisionalSignal = defineSignal<[VerificationState]>('kycVerificationProvisional');
