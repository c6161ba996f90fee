import type { Client, WorkflowSignalWithStartOptions } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { VerificationEvent, AppRegistration, VerificationPolicy } from '../verification/model';
import {
  KycProvider,
  KycStatus,
  kycWorkflowId,
  providerEventSignal,
  registerSignal,
  WORKFLOW_TYPE,
  type VerificationInput,
  type VerificationWorkflow,
} from '../contracts';

/**
 * Options shared by every way a verification starts. Both the ingress (a callback came first)
 * and the app use signal-with-start, so whichever arrives first starts the one execution and
 * the other only signals it.
 *
 * The polling policy is normally left out: the workflow then asks the worker for its provider's
 * policy, so whoever starts a verification (the ingress, an app, `kyc start`) needs no provider
 * configuration and cannot fix a policy from its own environment. Tests may still pass one.
 *
 * ID reuse: REJECT_DUPLICATE. Once a verification has closed, a late or replayed callback for
 * the same reference must not start a second verification; the caller is told it was late.
 */
function startOptions(provider: string, reference: string, taskQueue: string, policy?: VerificationPolicy) {
  const input: VerificationInput = { provider, reference, ...(policy ? { policy } : {}) };
  return {
    workflowId: kycWorkflowId(provider, reference),
    taskQueue,
    args: [input] as [VerificationInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: KycProvider, value: provider },
      { key: KycStatus, value: 'PENDING' },
    ],
    staticSummary: `${provider} verification ${reference}`,
  };
}

/** Hands one provider event to its verification's workflow, starting it if needed. */
export async function signalProviderEvent(
  client: Client,
  taskQueue: string,
  event: VerificationEvent,
  policy?: VerificationPolicy,
): Promise<void> {
  const options: WorkflowSignalWithStartOptions<[VerificationEvent]> & { args: [VerificationInput] } = {
    ...startOptions(event.provider, event.reference, taskQueue, policy),
    signal: providerEventSignal,
    signalArgs: [event],
  };
  await client.workflow.signalWithStart<VerificationWorkflow, [VerificationEvent]>(WORKFLOW_TYPE, options);
}

/** The app registers (starts) a verification; idempotent, and fine after a callback already started it. */
export async function signalRegistration(
  client: Client,
  provider: string,
  taskQueue: string,
  reference: string,
  registration: AppRegistration,
  policy?: VerificationPolicy,
): Promise<void> {
  await client.workflow.signalWithStart<VerificationWorkflow, [AppRegistration]>(WORKFLOW_TYPE, {
    ...startOptions(provider, reference, taskQueue, policy),
    signal: registerSignal,
    signalArgs: [registration],
  });
}
