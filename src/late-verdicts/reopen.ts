/**
 * Reopening a verification our own timer closed, after its provider sent a verdict late
 * (`kyc reopen`, `KycClient.reopenVerification`). The closed run is reset (Temporal's
 * ResetWorkflowExecution) to its first workflow task: a new run of the same verification replays
 * its start and receives every signal it had received again, so the story is rebuilt by the same
 * reducer; the late verdict's letters are then replayed into it. The workflow asks the provider
 * (the deadline check or the announced result), which now answers with its verdict.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { listDeadLetters, replayDeadLetter } from '../dead-letters/store';
import type { VerificationState } from '../verification/model';
import { kycWorkflowId, type VerificationInput } from '../contracts';
import { lifetimeOverOnReopen } from './classify';
import { inferredEnd, type InferredEnd } from '../verification/late-verdict';

const { EventType, ResetReapplyType } = temporal.api.enums.v1;

/** Why a verification cannot be reopened: it is open, or its end was not inferred by our timer. */
export class ReopenRefusedError extends Error {
  override name = 'ReopenRefusedError';
}

export interface ReopenOutcome {
  workflowId: string;
  /** The closed run that was reset, and the new run that continues the verification. */
  closedRunId: string;
  runId: string;
  /** How our timer had ended it. */
  inferredEnd: InferredEnd;
  /** The late-verdict letters handed to the reopened run, and those that could not be. */
  replayedLetters: string[];
  unreplayedLetters: { id: string; error: string }[];
}

export async function reopenVerification(
  client: Client,
  where: { namespace: string; taskQueue: string },
  provider: string,
  reference: string,
): Promise<ReopenOutcome> {
  const workflowId = kycWorkflowId(provider, reference);
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const closedRunId = description.runId;
  if (description.status.name === 'RUNNING') {
    throw new ReopenRefusedError(`${workflowId} is still open: nothing to reopen (kyc refresh asks the provider now)`);
  }
  if (description.status.name !== 'COMPLETED') {
    throw new ReopenRefusedError(
      `${workflowId} closed as ${description.status.name} without a verdict of ours to revisit; start a new one`,
    );
  }
  const state = (await handle.result()) as VerificationState;
  const end = inferredEnd(state);
  if (!end) {
    throw new ReopenRefusedError(
      `${workflowId} ended ${state.status}${state.decision ? `/${state.decision}` : ''} as reported, ` +
        'not by our own timer: a reported verdict is never reopened',
    );
  }
  const history = await client.workflow.getHandle(workflowId, closedRunId).fetchHistory();
  const input = await decodeFromPayloadsAtIndex<VerificationInput>(
    client.options.loadedDataConverter,
    0,
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads,
  );
  if (lifetimeOverOnReopen(input, Date.now())) {
    throw new ReopenRefusedError(
      `${workflowId} continued as new and is past its maximum lifetime: a reopened run would close ` +
        'again before the provider answers (its late verdicts stay in kyc status)',
    );
  }
  const runId = await resetToFirstWorkflowTask(client, where.namespace, workflowId, closedRunId, history);
  // The events of the late verdict go to the reopened run: the announced result is fetched at once.
  const letters = await listDeadLetters(client, { verificationId: workflowId, reason: 'late_verdict' });
  const replayedLetters: string[] = [];
  const unreplayedLetters: { id: string; error: string }[] = [];
  for (const letter of letters) {
    try {
      await replayDeadLetter(client, where.taskQueue, letter.id);
      replayedLetters.push(letter.id);
    } catch (err) {
      // The run is reopened already and asks the provider by itself: a letter that cannot be
      // replayed (its events were too large to keep) is reported, not fatal.
      unreplayedLetters.push({ id: letter.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { workflowId, closedRunId, runId, inferredEnd: end, replayedLetters, unreplayedLetters };
}

/**
 * Resets the closed run to its first completed workflow task. Everything from that task on is
 * run again (the worker's policy is read again, the clock is today's); signals received after it
 * are reapplied in their order; the closed run stays in history as it was.
 */
async function resetToFirstWorkflowTask(
  client: Client,
  namespace: string,
  workflowId: string,
  runId: string,
  history: temporal.api.history.v1.IHistory,
): Promise<string> {
  const first = history.events?.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!first?.eventId) throw new ReopenRefusedError(`${workflowId} has no completed workflow task to reset to`);
  const { runId: newRunId } = await client.workflowService.resetWorkflowExecution({
    namespace,
    workflowExecution: { workflowId, runId },
    reason: 'kyc reopen: a provider verdict arrived after our timer closed the verification',
    workflowTaskFinishEventId: first.eventId,
    requestId: randomUUID(),
    resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL,
  });
  return newRunId ?? '';
}
