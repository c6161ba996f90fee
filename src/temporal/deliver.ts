import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { VerificationEvent } from '../verification/model';
import { kycWorkflowId, providerEventSignal } from '../contracts';
import { signalProviderEvent } from './verification-start';

/**
 * What became of one event handed to its verification: `accepted` (Temporal has it), `late`
 * (the verification has closed; by the ID reuse policy nothing new starts) or `absent` (it names a
 * verification that does not exist and may not start one).
 */
export type DeliveryOutcome = 'accepted' | 'late' | 'absent';

/**
 * Hands one event to its verification, as the ingress does; used by the local inbox's drainer and
 * by dead-letter replay. Any other failure (Temporal unreachable) is thrown for the caller to retry.
 */
export async function deliverEvent(
  client: Client,
  taskQueue: string,
  event: VerificationEvent,
  startIfMissing = true,
): Promise<DeliveryOutcome> {
  try {
    if (startIfMissing) await signalProviderEvent(client, taskQueue, event);
    else
      await client.workflow
        .getHandle(kycWorkflowId(event.provider, event.reference))
        .signal(providerEventSignal, event);
    return 'accepted';
  } catch (err) {
    if (!startIfMissing && err instanceof WorkflowNotFoundError) return 'absent';
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'late';
    throw err;
  }
}
