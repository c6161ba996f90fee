import type { Client, WorkflowSignalWithStartOptions } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ProviderConfig } from '../config';
import type { ProviderId, VerificationEvent } from '../verification/model';
import {
  KycProvider,
  KycStatus,
  kycWorkflowId,
  providerEventSignal,
  registerSignal,
  WORKFLOW_TYPE,
  type AppRegistration,
  type VerificationInput,
} from '../workflows/messages';
import type { verificationWorkflow } from '../workflows/verification';

/**
 * Options shared by every way a verification starts. Both the ingress (a callback came first)
 * and the app use signal-with-start, so whichever arrives first starts the one execution and
 * the other only signals it.
 *
 * ID reuse: REJECT_DUPLICATE. Once a verification has closed, a late or replayed callback for
 * the same reference must not start a second verification; the caller is told it was late.
 */
function startOptions(provider: ProviderConfig, reference: string, taskQueue: string) {
  const input: VerificationInput = { provider: provider.id, reference, policy: provider.policy };
  return {
    workflowId: kycWorkflowId(provider.id, reference),
    taskQueue,
    args: [input] as [VerificationInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: KycProvider, value: provider.id },
      { key: KycStatus, value: 'PENDING' },
    ],
    staticSummary: `${provider.id} verification ${reference}`,
  };
}

/** Hands one provider event to its verification's workflow, starting it if needed. */
export async function signalProviderEvent(
  client: Client,
  provider: ProviderConfig,
  taskQueue: string,
  event: VerificationEvent,
): Promise<void> {
  const options: WorkflowSignalWithStartOptions<[VerificationEvent]> & { args: [VerificationInput] } = {
    ...startOptions(provider, event.reference, taskQueue),
    signal: providerEventSignal,
    signalArgs: [event],
  };
  await client.workflow.signalWithStart<typeof verificationWorkflow, [VerificationEvent]>(WORKFLOW_TYPE, options);
}

/** The app registers (starts) a verification; idempotent, and fine after a callback already started it. */
export async function signalRegistration(
  client: Client,
  provider: ProviderConfig,
  taskQueue: string,
  reference: string,
  registration: AppRegistration,
): Promise<void> {
  await client.workflow.signalWithStart<typeof verificationWorkflow, [AppRegistration]>(WORKFLOW_TYPE, {
    ...startOptions(provider, reference, taskQueue),
    signal: registerSignal,
    signalArgs: [registration],
  });
}

export type { ProviderId };
