/**
 * What one verification left in Temporal: every run of its chain (a verification that continued
 * as new has several), their events, payload bytes, the server's own size and state-transition
 * counts, and the billable actions they amount to.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { actionsOf, addActions, toNumber, type Actions } from './actions';

type History = temporal.api.history.v1.IHistory;

export interface VerificationHistory {
  runs: number;
  events: number;
  /** Payload data and metadata in the history (what the app and the workflow put in it). */
  payloadBytes: number;
  /** The server's size of the histories (DescribeWorkflowExecution historySizeBytes). */
  historyBytes: number;
  /** Mutable-state writes (DescribeWorkflowExecution stateTransitionCount): the unit Temporal sizes clusters in. */
  stateTransitions: number;
  /** Workflow tasks started: each is a poll and a completion the worker makes through the frontend. */
  workflowTasks: number;
  actions: Actions;
  /** The event types of its runs, in order (EVENT_TYPE_ left off), to read where the events go. */
  eventTypes: string[];
}

/** Reads a workflow's latest run, then the runs it continued from, back to the first. */
export async function verificationHistory(client: Client, workflowId: string): Promise<VerificationHistory> {
  const total: VerificationHistory = {
    runs: 0,
    events: 0,
    payloadBytes: 0,
    historyBytes: 0,
    stateTransitions: 0,
    workflowTasks: 0,
    actions: addActions(),
    eventTypes: [],
  };
  let runId: string | undefined;
  for (;;) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
    const info = description.raw.workflowExecutionInfo;
    total.runs += 1;
    total.events += history.events?.length ?? 0;
    total.payloadBytes += payloadBytesOf(history);
    total.historyBytes += toNumber(info?.historySizeBytes);
    total.stateTransitions += toNumber(info?.stateTransitionCount);
    total.workflowTasks += (history.events ?? []).filter(
      (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ).length;
    total.actions = addActions(total.actions, actionsOf(history));
    total.eventTypes.unshift(
      ...(history.events ?? []).map((event) =>
        String(temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? event.eventType).replace(/^EVENT_TYPE_/, ''),
      ),
    );
    const continuedFrom = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!continuedFrom) return total;
    runId = continuedFrom;
  }
}

/** Payload bytes in a history: each payload's data plus its metadata (keys and values), as figure 6 counts them. */
export function payloadBytesOf(history: History): number {
  let bytes = 0;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    const candidate = node as { data?: unknown; metadata?: Record<string, Uint8Array | null> };
    if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') {
      bytes += candidate.data.length;
      for (const [key, value] of Object.entries(candidate.metadata)) bytes += key.length + (value?.length ?? 0);
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const event of history.events ?? []) visit(event);
  return bytes;
}
