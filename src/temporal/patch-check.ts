/**
 * Which open verifications started before each of the workflow's patches: read from every open
 * run's own history (a run records a patch's marker in its first workflow task when its code took
 * the new branch; a run started before the patch never records it, and replays its old branch for
 * as long as it is open). While any is listed, the patch's old branch must stay; once none is,
 * the patch can be deprecated (docs/deprecating-patches.md).
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_PATCHES, WORKFLOW_TYPE } from '../contracts';

/** The marker the SDK's core records for `patched()` / `deprecatePatch()`, and its details key. */
const PATCH_MARKER = 'core_patch';
const PATCH_DETAILS = 'patch-data';
/** Histories read at once: each is a request to the frontend. */
const CONCURRENCY = 8;
/** Workflow IDs listed per patch; the count is always complete. */
const LISTED = 20;

type Payload = temporal.api.common.v1.IPayload;

export interface PatchStanding {
  patch: string;
  /** Open runs whose history has no marker of this patch: started before it. */
  openRunsBefore: number;
  /** The first of them (workflow IDs name the provider and its transaction ID, nothing personal). */
  workflowIds: string[];
}

export interface PatchCheckReport {
  namespace: string;
  /** Open verifications whose histories were read. */
  openRuns: number;
  patches: PatchStanding[];
}

/** The patch IDs a history's markers record, each payload decoded as `decode` says (the client's codecs). */
export async function patchesRecorded(
  history: temporal.api.history.v1.IHistory,
  decode: (payload: Payload) => Promise<unknown> = (payload) => Promise.resolve(plainJson(payload)),
): Promise<Set<string>> {
  const patches = new Set<string>();
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== PATCH_MARKER) continue;
    const payload = marker.details?.[PATCH_DETAILS]?.payloads?.[0];
    if (!payload) continue;
    const data = (await decode(payload)) as { id?: unknown } | undefined;
    if (typeof data?.id === 'string') patches.add(data.id);
  }
  return patches;
}

function plainJson(payload: Payload): unknown {
  return JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
}

/**
 * Reads the history of every open verification in the client's namespace and reports, per patch,
 * the runs that started before it.
 */
export async function checkPatches(
  client: Client,
  patches: readonly string[] = WORKFLOW_PATCHES,
): Promise<PatchCheckReport> {
  const converter = client.options.loadedDataConverter;
  // A marker's payload is written by the SDK's core as plain JSON; a codec (encryption) is undone first if one was applied.
  const decode = async (payload: Payload): Promise<unknown> => {
    let decoded = [payload];
    for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return converter.payloadConverter.fromPayload(decoded[0]!);
  };
  const runs: { workflowId: string; runId: string }[] = [];
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const execution of client.workflow.list({ query })) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId });
  }
  const before = new Map<string, string[]>(patches.map((patch) => [patch, []]));
  const queue = [...runs];
  const readOne = async (): Promise<void> => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const recorded = await patchesRecorded(history, decode);
      for (const patch of patches) if (!recorded.has(patch)) before.get(patch)!.push(run.workflowId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, readOne));
  return {
    namespace: client.options.namespace,
    openRuns: runs.length,
    patches: patches.map((patch) => {
      const ids = before.get(patch)!.sort();
      return { patch, openRunsBefore: ids.length, workflowIds: ids.slice(0, LISTED) };
    }),
  };
}
