/**
 * Billable Temporal Cloud actions, counted from a workflow's history by Temporal's published
 * rules (https://docs.temporal.io/evaluate/cloud/actions, the page that maps each billed action
 * to a history event; ACTION_RULES says which version). What a history cannot show (queries, and
 * activity heartbeats, which reach the server but leave no event) is passed in as `outside`.
 *
 * The rules, as the page states them, and how each is read from the history:
 * - "Workflow started — Occurs via client start, Continue-As-New, Child Workflow start. …
 *   De-duplicated Workflow starts … do not count": one per WorkflowExecutionStarted. A run started
 *   by continue-as-new (continuedExecutionRunId set, initiator WORKFLOW) is its continue-as-new
 *   action. A child's own start is not counted here: its parent's StartChildWorkflowExecutionInitiated
 *   already counts it ("Results in two Actions, one for durably storing the intent to start a Child
 *   Workflow and one for the attempt to start it").
 * - "one total action occurs for any Signal-With-Start, regardless of whether the Workflow
 *   starts": a signal-with-start that starts the workflow writes WorkflowExecutionStarted then, as
 *   the very next event, the signal (go.temporal.io/server service/history/api/create_workflow_util.go
 *   NewWorkflowWithSignal), before any workflow task; that pair is one action. One that finds the
 *   workflow running writes only WorkflowExecutionSignaled, one action like any signal.
 * - "An Action occurs for every Signal, whether sent from a Client or from a Workflow": one per
 *   WorkflowExecutionSignaled; a signal sent by another workflow (externalWorkflowExecution set)
 *   is counted on the sender, at its SignalExternalWorkflowExecutionInitiated.
 * - "Activity started or retried. Occurs each time a Workflow Activity … is started or retried":
 *   one per ActivityTaskScheduled, plus `attempt - 1` of its ActivityTaskStarted ("Intermediate
 *   retry attempts do not produce separate history events. Total attempt count is recorded in
 *   the ActivityTaskStartedEventAttributes.attempt field … subtract 1"). The page warns that a
 *   workflow closed while an activity is between retries writes no Started event: those retries
 *   are not in the history (the server's `action` counter, activity_retry, still sees them).
 * - "All Local Activities associated with one Workflow Task count as a single Action. Temporal
 *   Cloud counts all RecordMarkers from each Workflow Task as one action": one per workflow task
 *   whose commands recorded markers (local activities, and the SDK's patch and side-effect markers
 *   alike), read from MarkerRecorded's workflowTaskCompletedEventId. Local-activity retries: the
 *   WorkflowTaskCompleted's meteringMetadata.nonfirstLocalActivityExecutionAttempts. "Each
 *   Workflow Task Heartbeat counts as an additional Action": a workflow task scheduled while
 *   nothing new happened since the last one completed (only that task's own commands in between).
 * - "Timer started. Includes implicit Timers … such as `condition` in TypeScript": one per TimerStarted.
 * - "Search Attribute upsert requested — Occurs for each invocation of UpsertSearchAttributes …
 *   Search Attributes specified during Workflow start are excluded … The TemporalChangeVersion
 *   Search Attribute, used for Workflow versioning, is also exempt": one per
 *   UpsertWorkflowSearchAttributes, except those that set only TemporalChangeVersion (the
 *   TypeScript SDK writes one with each `patched()` marker).
 * - "Workflow reset": one per WorkflowTaskFailed with cause RESET_WORKFLOW.
 * - "Update … every successful Update and every rejected Update": one per
 *   WorkflowExecutionUpdateAccepted; rejections leave no event and come in `outside`.
 * - "Query received by Worker … `__temporal_workflow_metadata` … is excluded": `outside.queries`.
 * - "Activity Heartbeat recorded … only if it reaches the Temporal Server": `outside.activityHeartbeats`.
 * Not billed, so counted apart for the record: memo upserts (WorkflowPropertiesModified, absent
 * from the page) and the exempt TemporalChangeVersion upserts; cancellation and termination
 * requests are not listed either. Schedules, Nexus and exports are out of scope: the
 * verification uses none.
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** Which version of Temporal's rules this counts by (printed with every figure it makes). */
export const ACTION_RULES = {
  source: 'https://docs.temporal.io/evaluate/cloud/actions',
  version:
    'temporalio/documentation docs/evaluate/cloud/actions.mdx at 24afc58a (the text since May 2026: ' +
    'signal-with-start is one action, markers are one action per workflow task, replay is free)',
} as const;

export interface ActionCounts {
  workflowStart: number;
  signalWithStart: number;
  continueAsNew: number;
  signal: number;
  activity: number;
  activityRetry: number;
  /** Workflow tasks whose commands recorded markers (local activities, patches, side effects). */
  markerTasks: number;
  localActivityRetry: number;
  workflowTaskHeartbeat: number;
  timer: number;
  searchAttributeUpsert: number;
  childWorkflow: number;
  signalSent: number;
  update: number;
  reset: number;
  query: number;
  activityHeartbeat: number;
}

export interface Actions {
  /** Billable actions: the sum of `billed`. */
  total: number;
  billed: ActionCounts;
  /** Commands that are in the history but not billed, for the record. */
  unbilled: { changeVersionUpserts: number; memoUpserts: number };
}

/** What the history does not show, measured elsewhere (the server's `action` counter, the client). */
export interface OutsideTheHistory {
  queries?: number;
  activityHeartbeats?: number;
  rejectedUpdates?: number;
}

const CHANGE_VERSION = 'TemporalChangeVersion';

export function noActions(): Actions {
  return {
    total: 0,
    billed: {
      workflowStart: 0,
      signalWithStart: 0,
      continueAsNew: 0,
      signal: 0,
      activity: 0,
      activityRetry: 0,
      markerTasks: 0,
      localActivityRetry: 0,
      workflowTaskHeartbeat: 0,
      timer: 0,
      searchAttributeUpsert: 0,
      childWorkflow: 0,
      signalSent: 0,
      update: 0,
      reset: 0,
      query: 0,
      activityHeartbeat: 0,
    },
    unbilled: { changeVersionUpserts: 0, memoUpserts: 0 },
  };
}

/** Billable actions of one run's history (a verification that continued as new: add its runs with `addActions`). */
export function actionsOf(history: History, outside: OutsideTheHistory = {}): Actions {
  const actions = noActions();
  const billed = actions.billed;
  const events = history.events ?? [];
  const markerTasks = new Set<number>();
  /** The event before this one that its workflow task's commands did not write. */
  let lastNonCommand: temporal.api.enums.v1.EventType | undefined;
  events.forEach((event, index) => {
    const type = eventTypeOf(event);
    switch (type) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const started = event.workflowExecutionStartedEventAttributes ?? {};
        if (started.parentWorkflowExecution?.workflowId) break;
        const initiator = enumValue<number>(started.initiator, temporal.api.enums.v1.ContinueAsNewInitiator);
        if (started.continuedExecutionRunId && initiator <= 1) billed.continueAsNew += 1;
        else if (
          events[index + 1] &&
          eventTypeOf(events[index + 1]!) === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        )
          billed.signalWithStart += 1;
        else billed.workflowStart += 1;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const startedBySignal = index === 1 && billed.signalWithStart > 0;
        const fromAWorkflow = Boolean(
          event.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId,
        );
        if (!startedBySignal && !fromAWorkflow) billed.signal += 1;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        billed.activity += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        billed.activityRetry += Math.max(0, toNumber(event.activityTaskStartedEventAttributes?.attempt) - 1);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        markerTasks.add(toNumber(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId));
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        billed.localActivityRetry += toNumber(
          event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts,
        );
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        if (lastNonCommand === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) billed.workflowTaskHeartbeat += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        billed.timer += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(
          event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (keys.length > 0 && keys.every((key) => key === CHANGE_VERSION)) actions.unbilled.changeVersionUpserts += 1;
        else billed.searchAttributeUpsert += 1;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        actions.unbilled.memoUpserts += 1;
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        billed.childWorkflow += 2;
        break;
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        billed.signalSent += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        billed.update += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (
          enumValue<temporal.api.enums.v1.WorkflowTaskFailedCause>(
            event.workflowTaskFailedEventAttributes?.cause,
            temporal.api.enums.v1.WorkflowTaskFailedCause,
          ) === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        )
          billed.reset += 1;
        break;
    }
    if (!writtenByACommand(event)) lastNonCommand = type;
  });
  billed.markerTasks = markerTasks.size;
  billed.query += outside.queries ?? 0;
  billed.activityHeartbeat += outside.activityHeartbeats ?? 0;
  billed.update += outside.rejectedUpdates ?? 0;
  actions.total = sum(billed);
  return actions;
}

/** The actions of several runs (a chain continued as new) or several verifications, added up. */
export function addActions(...all: Actions[]): Actions {
  const total = noActions();
  for (const actions of all) {
    for (const key of Object.keys(total.billed) as (keyof ActionCounts)[]) total.billed[key] += actions.billed[key];
    total.unbilled.changeVersionUpserts += actions.unbilled.changeVersionUpserts;
    total.unbilled.memoUpserts += actions.unbilled.memoUpserts;
  }
  total.total = sum(total.billed);
  return total;
}

function sum(counts: ActionCounts): number {
  return (Object.values(counts) as number[]).reduce((a, b) => a + b, 0);
}

function eventTypeOf(event: HistoryEvent): temporal.api.enums.v1.EventType {
  return enumValue(event.eventType, EventType);
}

/** A history read through the client carries enum numbers; one exported as JSON carries their names. */
function enumValue<E extends number>(value: unknown, names: object): E {
  if (typeof value === 'string') return Number((names as Record<string, unknown>)[value] ?? 0) as E;
  return Number(value ?? 0) as E;
}

/** Events a workflow task's commands write carry that task's WorkflowTaskCompleted event ID. */
function writtenByACommand(event: HistoryEvent): boolean {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventAttributes') || !value || typeof value !== 'object') continue;
    const completed = (value as { workflowTaskCompletedEventId?: unknown }).workflowTaskCompletedEventId;
    return completed !== undefined && completed !== null && toNumber(completed) > 0;
  }
  return false;
}

/** Proto int64 fields arrive as Long objects, numbers or strings. */
export function toNumber(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  const long = value as { toNumber?: unknown };
  if (typeof long.toNumber === 'function') return (long as { toNumber(): number }).toNumber();
  return Number(value);
}
