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
 * Hands one event to its verification: the one hand-over, used by the ingress, the local inbox's
 * drainer and dead-letter replay. `startIfMissing` (default): signal-with-start; otherwise only a
 * signal, so an event that may not start a verification finds it `absent`. `deadline` (epoch ms)
 * bounds the call. `lateIfClosed`, for an event that may not start its verification: one that has
 * closed is `late` rather than `absent` (a signal cannot tell the two apart; one more call can).
 * Any other failure (Temporal unreachable) is thrown for the caller to retry.
 */
export async function deliverEvent(
  client: Client,
  taskQueue: string,
  event: VerificationEvent,
  options: { startIfMissing?: boolean; deadline?: number; lateIfClosed?: boolean } = {},
): Promise<DeliveryOutcome> {
  const startIfMissing = options.startIfMissing ?? true;
  const handOver = () =>
    startIfMissing
      ? // No policy passed: the workflow takes it from the worker's configuration.
        signalProviderEvent(client, taskQueue, event)
      : client.workflow.getHandle(kycWorkflowId(event.provider, event.reference)).signal(providerEventSignal, event);
  try {
    await (options.deadline === undefined ? handOver() : client.connection.withDeadline(options.deadline, handOver));
    return 'accepted';
  } catch (err) {
    if (!startIfMissing && err instanceof WorkflowNotFoundError) {
      return options.lateIfClosed && (await hasClosed(client, event, options.deadline)) ? 'late' : 'absent';
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'late';
    throw err;
  }
}

/** The event's verification exists and has closed (a signal to it was refused as not found). */
async function hasClosed(client: Client, event: VerificationEvent, deadline: number | undefined): Promise<boolean> {
  const describe = () => client.workflow.getHandle(kycWorkflowId(event.provider, event.reference)).describe();
  try {
    const { status } = await (deadline === undefined ? describe() : client.connection.withDeadline(deadline, describe));
    return status.name !== 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
