/**
 * Late verdicts on Temporal: read a closed verification's final state (to apply the late-verdict
 * rule), and start the app's late-verdict notification.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/common';
import type { VerificationState } from '../verification/model';
import {
  KycProvider,
  KycVerificationId,
  type LateVerdictData,
  type LateVerdictNotificationWorkflow,
  LATE_VERDICT_WORKFLOW_TYPE,
  lateVerdictWorkflowId,
} from '../contracts';

/**
 * The final state of a closed verification: its workflow result, read from history (no worker
 * needed). Undefined when it closed without one (terminated by an operator, failed) or is gone.
 */
export async function closedVerificationState(
  client: Client,
  workflowId: string,
  timeoutMs: number,
): Promise<VerificationState | undefined> {
  try {
    return await client.connection.withDeadline(
      Date.now() + timeoutMs,
      () => client.workflow.getHandle(workflowId).result() as Promise<VerificationState>,
    );
  } catch (err) {
    if (err instanceof WorkflowFailedError || err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Starts the push of a late verdict to the app; idempotent: the same letter is the same
 * notification, also when it was already sent (the provider retried its callback).
 */
export async function startLateVerdictNotification(
  client: Client,
  taskQueue: string,
  data: LateVerdictData,
  timeoutMs: number,
): Promise<string> {
  const workflowId = lateVerdictWorkflowId(data.provider, data.reference, data.deadLetterId);
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.start<LateVerdictNotificationWorkflow>(LATE_VERDICT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [{ data }],
        // Sent once per letter: neither a running nor a finished notification is started again.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [
          { key: KycProvider, value: data.provider },
          { key: KycVerificationId, value: data.verificationId },
        ],
        staticSummary: `late verdict: ${data.provider} ${data.reference}`,
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
