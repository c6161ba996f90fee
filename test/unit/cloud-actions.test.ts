/**
 * Billable Temporal Cloud actions counted from a history (bench/cost/actions.ts): each published
 * rule on a history written for it, and a recorded verification counted by hand.
 */
import { PROVIDERS } from '../../src/providers/registry';
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { actionsOf, addActions } from '../../bench/cost/actions';
import { recordedHistories, recordedHistoryPath } from '../../tools/histories';

const T = temporal.api.enums.v1.EventType;
/** An event as the client hands it over, with plain numbers where the protos have int64 (Long). */
type Event = Record<string, unknown>;

/** A history from events in order; each gets the next event ID. */
function history(...events: Event[]): temporal.api.history.v1.IHistory {
  const numbered = events.map((event, i) => ({ eventId: i + 1, ...event }));
  return { events: numbered } as unknown as temporal.api.history.v1.IHistory;
}

const started = (attributes: Record<string, unknown> = {}): Event => ({
  eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  workflowExecutionStartedEventAttributes: attributes,
});
const signaled = (fromWorkflow?: string): Event => ({
  eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  workflowExecutionSignaledEventAttributes: {
    signalName: 'event',
    ...(fromWorkflow ? { externalWorkflowExecution: { workflowId: fromWorkflow } } : {}),
  },
});
const task = (completedEventId: number): Event[] => [
  { eventType: T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: {} },
  {
    eventType: T.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    workflowTaskStartedEventAttributes: { scheduledEventId: completedEventId - 2 },
  },
  {
    eventType: T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    workflowTaskCompletedEventAttributes: { scheduledEventId: completedEventId - 2 },
  },
];
const marker = (completedEventId: number, name = 'core_local_activity'): Event => ({
  eventType: T.EVENT_TYPE_MARKER_RECORDED,
  markerRecordedEventAttributes: { markerName: name, workflowTaskCompletedEventId: completedEventId },
});
const upsert = (completedEventId: number, ...keys: string[]): Event => ({
  eventType: T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  upsertWorkflowSearchAttributesEventAttributes: {
    workflowTaskCompletedEventId: completedEventId,
    searchAttributes: { indexedFields: Object.fromEntries(keys.map((key) => [key, { data: new Uint8Array() }])) },
  },
});

describe('actionsOf: the published rules, one by one', () => {
  it('a client start and a later signal are two actions; a signal-with-start that starts the workflow is one', () => {
    const startThenSignal = actionsOf(history(started(), ...task(4), signaled()));
    expect(startThenSignal.billed).toMatchObject({ workflowStart: 1, signal: 1, signalWithStart: 0 });
    expect(startThenSignal.total).toBe(2);
    const signalWithStart = actionsOf(history(started(), signaled(), ...task(5)));
    expect(signalWithStart.billed).toMatchObject({ signalWithStart: 1, signal: 0, workflowStart: 0 });
    expect(signalWithStart.total).toBe(1);
  });

  it('a signal-with-start that finds the workflow running is one signal', () => {
    const actions = actionsOf(history(started(), signaled(), ...task(5), signaled(), signaled()));
    expect(actions.billed.signal).toBe(2);
    expect(actions.total).toBe(3);
  });

  it('a signal sent by another workflow is billed on the sender, once', () => {
    const receiver = actionsOf(history(started(), ...task(4), signaled('the-app-workflow')));
    expect(receiver.billed.signal).toBe(0);
    const sender = actionsOf(
      history(started(), ...task(4), {
        eventType: T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
        signalExternalWorkflowExecutionInitiatedEventAttributes: { workflowTaskCompletedEventId: 4 },
      }),
    );
    expect(sender.billed.signalSent).toBe(1);
    expect(receiver.total + sender.total).toBe(3);
  });

  it('an activity is one action plus one per retry, read from its Started attempt', () => {
    const actions = actionsOf(
      history(
        started(),
        ...task(4),
        {
          eventType: T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
          activityTaskScheduledEventAttributes: { workflowTaskCompletedEventId: 4 },
        },
        { eventType: T.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 9 } },
        { eventType: T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, activityTaskCompletedEventAttributes: {} },
      ),
    );
    expect(actions.billed).toMatchObject({ activity: 1, activityRetry: 8 });
    expect(actions.total).toBe(1 + 1 + 8);
  });

  it('markers count once per workflow task, whatever their number; local-activity retries come from metering', () => {
    const [scheduled, startedTask, completed] = task(4) as [Event, Event, Event];
    const actions = actionsOf(
      history(
        started(),
        scheduled,
        startedTask,
        {
          ...completed,
          workflowTaskCompletedEventAttributes: { meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 } },
        },
        marker(4, 'core_patch'),
        marker(4, 'core_patch'),
        marker(4),
        signaled(),
        ...task(11),
        marker(11),
      ),
    );
    expect(actions.billed).toMatchObject({ markerTasks: 2, localActivityRetry: 2 });
    expect(actions.total).toBe(1 + 1 + 2 + 2);
  });

  it('an upsert of TemporalChangeVersion alone (a patch) is exempt; any other upsert is one action, whatever its keys', () => {
    const actions = actionsOf(
      history(
        started(),
        ...task(4),
        upsert(4, 'TemporalChangeVersion'),
        upsert(4, 'KycStatus', 'KycProvider', 'KycDecision'),
        upsert(4, 'TemporalChangeVersion', 'KycStatus'),
      ),
    );
    expect(actions.billed.searchAttributeUpsert).toBe(2);
    expect(actions.unbilled.changeVersionUpserts).toBe(1);
    expect(actions.total).toBe(3);
  });

  it('a run started by continue-as-new is its continue-as-new action; a retry run is a start', () => {
    const continued = actionsOf(
      history(started({ continuedExecutionRunId: 'run-1', initiator: 1 }), ...task(4), {
        eventType: T.EVENT_TYPE_TIMER_STARTED,
        timerStartedEventAttributes: { workflowTaskCompletedEventId: 4 },
      }),
    );
    expect(continued.billed).toMatchObject({ continueAsNew: 1, workflowStart: 0, timer: 1 });
    const retried = actionsOf(history(started({ continuedExecutionRunId: 'run-1', initiator: 2 }), ...task(4)));
    expect(retried.billed).toMatchObject({ continueAsNew: 0, workflowStart: 1 });
  });

  it('each timer started is one action, whether it fires or is cancelled (condition with a timeout starts one)', () => {
    const timer = (completedEventId: number): Event => ({
      eventType: T.EVENT_TYPE_TIMER_STARTED,
      timerStartedEventAttributes: { workflowTaskCompletedEventId: completedEventId },
    });
    const actions = actionsOf(
      history(
        started(),
        ...task(4),
        timer(4),
        timer(4),
        { eventType: T.EVENT_TYPE_TIMER_FIRED, timerFiredEventAttributes: { startedEventId: 5 } },
        ...task(10),
        { eventType: T.EVENT_TYPE_TIMER_CANCELED, timerCanceledEventAttributes: { startedEventId: 6 } },
      ),
    );
    expect(actions.billed.timer).toBe(2);
    expect(actions.total).toBe(1 + 2);
  });

  it('local activities in different workflow tasks are one action each, and a memo upsert is not billed', () => {
    const actions = actionsOf(
      history(started(), signaled(), ...task(5), marker(5), signaled(), ...task(10), marker(10), {
        eventType: T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
        workflowPropertiesModifiedEventAttributes: { workflowTaskCompletedEventId: 10 },
      }),
    );
    expect(actions.billed).toMatchObject({ signalWithStart: 1, signal: 1, markerTasks: 2 });
    expect(actions.unbilled.memoUpserts).toBe(1);
    expect(actions.total).toBe(1 + 1 + 2);
  });

  it('a child workflow is two actions on its parent and none on its own start', () => {
    const parent = actionsOf(
      history(started(), ...task(4), {
        eventType: T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
        startChildWorkflowExecutionInitiatedEventAttributes: { workflowTaskCompletedEventId: 4 },
      }),
    );
    expect(parent.billed.childWorkflow).toBe(2);
    const child = actionsOf(history(started({ parentWorkflowExecution: { workflowId: 'parent' } }), ...task(4)));
    expect(child.total).toBe(0);
  });

  it('a workflow task scheduled with nothing new since the last one completed is a workflow task heartbeat', () => {
    // Completed at 4, its marker, then a task scheduled at once: the SDK heartbeating a long local activity.
    const heartbeat = actionsOf(history(started(), ...task(4), marker(4), ...task(8)));
    expect(heartbeat.billed.workflowTaskHeartbeat).toBe(1);
    const woken = actionsOf(history(started(), ...task(4), marker(4), signaled(), ...task(9)));
    expect(woken.billed.workflowTaskHeartbeat).toBe(0);
  });

  it('a reset and an accepted update are one action each', () => {
    const actions = actionsOf(
      history(
        started(),
        { eventType: T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: {} },
        { eventType: T.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: {} },
        {
          eventType: T.EVENT_TYPE_WORKFLOW_TASK_FAILED,
          workflowTaskFailedEventAttributes: {
            cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
          },
        },
        ...task(7),
        {
          eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
          workflowExecutionUpdateAcceptedEventAttributes: {},
        },
      ),
    );
    expect(actions.billed).toMatchObject({ reset: 1, update: 1 });
    expect(actions.total).toBe(3);
  });

  it('adds what the history cannot show: queries, heartbeats that reached the server, rejected updates', () => {
    const actions = actionsOf(history(started(), ...task(4)), {
      queries: 3,
      activityHeartbeats: 2,
      rejectedUpdates: 1,
    });
    expect(actions.billed).toMatchObject({ query: 3, activityHeartbeat: 2, update: 1 });
    expect(actions.total).toBe(1 + 3 + 2 + 1);
  });

  it('adds up the runs of a chain', () => {
    const first = actionsOf(history(started(), signaled(), ...task(5), marker(5)));
    const second = actionsOf(history(started({ continuedExecutionRunId: 'run-1', initiator: 1 }), ...task(4)));
    const chain = addActions(first, second);
    expect(chain.billed).toMatchObject({ signalWithStart: 1, markerTasks: 1, continueAsNew: 1 });
    expect(chain.total).toBe(first.total + second.total);
  });
});

describe('actionsOf on recorded verifications', () => {
  // As exported (`temporal workflow show --output json`): enum names, int64 as strings.
  const recorded = (name: string) =>
    JSON.parse(readFileSync(recordedHistoryPath(name), 'utf8')) as temporal.api.history.v1.IHistory;

  it("counts the first provider's completed verification, as recorded before kyc-provisional, as read by hand", () => {
    // 1 started + 2 signaled (register): one signal-with-start. 13, 14: two signals. 6, 8, 10: the
    // two patch markers and the policy's local activity, all of task 5: one action. 7, 9: patch
    // upserts (exempt). 12, 18, 25: three upserts. 11: one timer. 19: one activity, first attempt.
    const actions = actionsOf(recorded(`${PROVIDERS[0]}-completed.before-kyc-provisional.json`));
    expect(actions.billed).toEqual(
      expect.objectContaining({
        signalWithStart: 1,
        signal: 2,
        markerTasks: 1,
        searchAttributeUpsert: 3,
        timer: 1,
        activity: 1,
        activityRetry: 0,
        workflowTaskHeartbeat: 0,
      }),
    );
    expect(actions.unbilled.changeVersionUpserts).toBe(2);
    expect(actions.total).toBe(9);
  });

  it('finds no workflow task heartbeat in any recorded history (the verification runs no long local activity)', () => {
    const files = [...recordedHistories('dev-server'), ...recordedHistories('cluster')];
    expect(files.length).toBeGreaterThan(10);
    for (const { path } of files) {
      const history = JSON.parse(readFileSync(path, 'utf8')) as temporal.api.history.v1.IHistory;
      expect([path, actionsOf(history).billed.workflowTaskHeartbeat]).toEqual([path, 0]);
    }
  });
});
