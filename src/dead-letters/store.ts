/**
 * The dead-letter store on Temporal: writing a letter (start its workflow), listing letters
 * through visibility, reading one, and replaying it. Used by the ingress, the inbox drainer and
 * the CLI, from any machine that reaches Temporal.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
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
  /**
   * Why its details could not be read (its memo is sealed with a key this deployment lacks): the
   * row then holds only what Temporal's search attributes say.
   */
  unreadable?: string;
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
  for await (const raw of rawExecutions(client, clauses.join(' AND '))) {
    const summary = await summarise(client, raw);
    if (summary) rows.push(summary);
    if (rows.length >= (filter.limit ?? 100)) break;
  }
  return rows;
}

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

/**
 * The listing's rows as Temporal sends them, memos still encoded: the client's own `list()`
 * decodes every memo and stops at the first it cannot, so one letter sealed with a key no longer
 * in the ring would hide all the others.
 */
async function* rawExecutions(client: Client, query: string): AsyncGenerator<RawExecution> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    yield* response.executions;
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
  } while (nextPageToken);
}

async function summarise(client: Client, raw: RawExecution): Promise<DeadLetterSummary | undefined> {
  const id = raw.execution?.workflowId;
  const memoPayload = raw.memo?.fields?.[MEMO_KEY];
  if (!id || !memoPayload || !isDeadLetterWorkflowId(id)) return undefined;
  const state =
    raw.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? 'open' : 'closed';
  try {
    const decoded = await decodeMapFromPayloads(client.options.loadedDataConverter, { [MEMO_KEY]: memoPayload });
    return { id, state, ...(decoded?.[MEMO_KEY] as DeadLetterMemo) };
  } catch (err) {
    return unreadableLetter(id, state, raw, err);
  }
}

/**
 * A letter whose memo this deployment cannot decode (sealed with a key no longer in
 * KYC_PAYLOAD_KEYS_OLD, or by another deployment): listed with what Temporal's search attributes
 * say, never dropped and never failing the listing.
 */
function unreadableLetter(id: string, state: 'open' | 'closed', raw: RawExecution, err: unknown): DeadLetterSummary {
  // Search attributes are Temporal's own (never through the codec): always readable.
  const attributes = decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields);
  const started = raw.startTime?.seconds ? new Date(Number(raw.startTime.seconds) * 1000) : undefined;
  const verificationId = attributes.get(KycVerificationId);
  return {
    id,
    state,
    provider: attributes.get(KycProvider) ?? id.split(':')[1] ?? '',
    reason: (attributes.get(KycDeadLetterReason) ?? 'unknown') as DeadLetterReason,
    paths: [],
    receivedAt: started?.toISOString() ?? '',
    ...(verificationId ? { verificationId } : {}),
    events: 0,
    bodyKept: false,
    bodyBytes: 0,
    unreadable: err instanceof Error ? err.message : String(err),
  };
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
