/**
 * The dead-letter store on Temporal: writing a letter (start its workflow), listing letters
 * through visibility, reading one, and replaying it. Used by the ingress, the inbox drainer and
 * the CLI, from any machine that reaches Temporal.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { CallbackParser } from '../providers/types';
import { parseUntrustedJson } from '../providers/untrusted-json';
import { deliverEvent } from '../temporal/deliver';
import {
  KycDeadLetterReason,
  KycProvider,
  KycVerificationId,
  DEAD_LETTER_WORKFLOW_TYPE,
  deadLetterMemo,
  deadLetterQuery,
  deadLetterWorkflowId,
  isDeadLetterWorkflowId,
  replayedUpdate,
  type DeadLetter,
  type DeadLetterWorkflow,
  type DeadLetterMemo,
  type DeadLetterReason,
  type ReplayResult,
} from '../contracts';
import type { VerificationEvent } from '../verification/model';

const MEMO_KEY = 'deadLetter';

/** Stores one letter; the same fingerprint while its letter is open is the same letter (idempotent). */
export async function storeDeadLetter(
  client: Client,
  where: { taskQueue: string; retentionMs: number },
  letter: DeadLetter,
  fingerprint: string,
): Promise<string> {
  const workflowId = deadLetterWorkflowId(letter.provider, fingerprint);
  await client.workflow.start<DeadLetterWorkflow>(DEAD_LETTER_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: where.taskQueue,
    args: [{ letter, retentionMs: where.retentionMs }],
    // A provider resending the refused callback must not make a second letter.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [
      { key: KycProvider, value: letter.provider },
      { key: KycDeadLetterReason, value: letter.reason },
      ...(letter.verificationId ? [{ key: KycVerificationId, value: letter.verificationId }] : []),
    ],
    memo: { [MEMO_KEY]: deadLetterMemo(letter) },
    staticSummary: `dead letter: ${letter.provider} ${letter.reason}`,
  });
  return workflowId;
}

export interface DeadLetterSummary extends DeadLetterMemo {
  id: string;
  /** `open` until replayed or expired; closed letters are listed only on request. */
  state: 'open' | 'closed';
}

export interface DeadLetterFilter {
  provider?: string;
  reason?: DeadLetterReason;
  verificationId?: string;
  /**
   * The deployment's task queue: only its letters, which its key ring reads (a namespace may
   * hold other deployments' letters, encrypted with their keys).
   */
  taskQueue?: string;
  /** Also letters already replayed or past their retention (as long as Temporal keeps them). */
  includeClosed?: boolean;
  limit?: number;
}

export async function listDeadLetters(client: Client, filter: DeadLetterFilter = {}): Promise<DeadLetterSummary[]> {
  // Values are validated by the callers (provider and reason vocabularies, workflow-ID syntax).
  const clauses = [`WorkflowType = '${DEAD_LETTER_WORKFLOW_TYPE}'`];
  if (!filter.includeClosed) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.provider) clauses.push(`KycProvider = '${filter.provider}'`);
  if (filter.reason) clauses.push(`KycDeadLetterReason = '${filter.reason}'`);
  if (filter.verificationId) clauses.push(`KycVerificationId = '${filter.verificationId.replace(/'/g, '')}'`);
  if (filter.taskQueue) clauses.push(`TaskQueue = '${filter.taskQueue.replace(/'/g, '')}'`);
  const rows: DeadLetterSummary[] = [];
  for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
    const summary = summarise(execution);
    if (summary) rows.push(summary);
    if (rows.length >= (filter.limit ?? 100)) break;
  }
  return rows;
}

function summarise(execution: WorkflowExecutionInfo): DeadLetterSummary | undefined {
  const memo = execution.memo?.[MEMO_KEY] as DeadLetterMemo | undefined;
  if (!memo || !isDeadLetterWorkflowId(execution.workflowId)) return undefined;
  return { id: execution.workflowId, state: execution.status.name === 'RUNNING' ? 'open' : 'closed', ...memo };
}

export class DeadLetterNotFoundError extends Error {
  override name = 'DeadLetterNotFoundError';
}

/** A letter that cannot be replayed: its body was not kept, or it still fails the provider's schema. */
export class ReplayRefusedError extends Error {
  override name = 'ReplayRefusedError';
}

export interface ReplayOutcome extends ReplayResult {
  id: string;
  /** The letter had already been replayed: nothing was sent again. */
  alreadyReplayed: boolean;
}

/**
 * Re-injects a letter's callback: the kept body is parsed again with the provider's current
 * parser (so a fixed schema or configuration takes it), or else the kept canonical events are
 * handed over. Idempotent: each event keeps its dedup key, so a verification applies it once, and
 * a letter replayed in full is closed; replaying it again sends nothing.
 */
export async function replayDeadLetter(
  client: Client,
  taskQueue: string,
  id: string,
  /** The provider's parser (from the provider's configuration), to read a kept body again. */
  parserFor?: (provider: string) => CallbackParser | undefined,
): Promise<ReplayOutcome> {
  if (!isDeadLetterWorkflowId(id)) throw new DeadLetterNotFoundError(`'${id}' is not a dead-letter ID (kyc-dead:…)`);
  const handle = client.workflow.getHandle<DeadLetterWorkflow>(id);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new DeadLetterNotFoundError(`no dead letter ${id}`);
    throw err;
  }
  if (description.status.name !== 'RUNNING') {
    const end = await handle.result();
    const last = end.replays.at(-1);
    if (end.resolution !== 'replayed' || !last) throw new ReplayRefusedError(`dead letter ${id} has expired`);
    return { id, alreadyReplayed: true, ...last };
  }
  const { letter, resolved, replays } = await handle.query(deadLetterQuery);
  const previous = replays.at(-1);
  // Replayed a moment ago and closing now: nothing is sent again.
  if (resolved && previous) return { id, alreadyReplayed: true, ...previous };
  const events = eventsToReplay(letter, parserFor?.(letter.provider));
  const result: ReplayResult = { at: new Date().toISOString(), accepted: 0, late: 0 };
  // An unroutable letter's verification only the app starts: a replay joins it, never starts it.
  const joinOnly = letter.reason === 'unroutable';
  for (const event of events) {
    const outcome = await deliverEvent(client, taskQueue, event, { startIfMissing: !joinOnly, lateIfClosed: joinOnly });
    if (outcome === 'accepted') result.accepted += 1;
    else if (outcome === 'late') result.late += 1;
  }
  if (joinOnly && result.accepted + result.late === 0) {
    // Nothing was delivered: the letter stays open for the app's start.
    throw new ReplayRefusedError(`no verification is registered for it yet (${letter.verificationId ?? 'unknown'})`);
  }
  await handle.executeUpdate(replayedUpdate, { args: [result] });
  return { id, alreadyReplayed: false, ...result };
}

function eventsToReplay(letter: DeadLetter, parser: CallbackParser | undefined): VerificationEvent[] {
  if (letter.body !== undefined && parser) {
    let parsed;
    try {
      // Read as the ingress reads it; the raw text too, for signatures made over the bytes sent.
      parsed = parser.parse(parseUntrustedJson(letter.body), letter.receivedAt, letter.body);
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : 'unreadable';
      throw new ReplayRefusedError(`the kept body is still refused: ${detail}`);
    }
    const events = [...parsed.events, ...(parsed.joinOnly ?? []).flat()];
    if (events.length === 0) throw new ReplayRefusedError('the kept body still carries no usable record');
    return events;
  }
  if (letter.events?.length) return letter.events;
  if (letter.body !== undefined) {
    throw new ReplayRefusedError(`the body must be parsed again: run with ${letter.provider}'s configuration`);
  }
  throw new ReplayRefusedError(
    'nothing to replay: the body was not kept (it is kept only when KYC_PAYLOAD_KEY encrypts payloads) ' +
      'and the callback carried no usable event',
  );
}
