/**
 * Telling the app that a verification ended, without it polling: an HTTP notification (sent by
 * the `notifyApp` activity, signed the Standard Webhooks way) and/or a signal to the app's own
 * workflow named at start.
 */
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { VerificationState } from '../verification/model';
import type { VerificationChange } from '../verification/reducer';
import {
  PROVISIONAL_EVENT_TYPE,
  verificationFinishedSignal,
  verificationProvisionalSignal,
  type AppNotifier,
} from '../contracts';

// Retried until the app's receiver accepts it: a receiver that is down delays the push, never loses it.
const { notifyApp } = proxyActivities<AppNotifier>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
});

/** Pushes the final state wherever the app asked for it; returns the changes to record on the timeline. */
export async function tellTheApp(
  state: VerificationState,
  webhook: boolean,
  occasion: 'finished' | 'late_verdict' = 'finished',
): Promise<VerificationChange[]> {
  const told: VerificationChange[] = [];
  if (webhook) {
    let delivered = true;
    try {
      // One ID per verification's end, so a receiver de-duplicates the retries. A run reset by
      // `kyc reopen` (src/late-verdicts/reopen.ts) ends a second time: its own ID, or a
      // de-duplicating receiver would drop the provider's verdict as a copy of our EXPIRED.
      const { workflowId, runId, originalExecutionRunId } = workflowInfo();
      // A verdict that came while the app was being told is told again, under its own ID.
      const end = runId === originalExecutionRunId && occasion === 'finished' ? occasion : `${occasion}:${runId}`;
      await notifyApp({ state, webhookId: `${workflowId}:${end}` });
    } catch {
      // Only a permanent refusal gets here (the receiver's 4xx, notification off on this worker):
      // the verdict stands, and the timeline says the push was not delivered.
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'webhook', delivered });
  }
  if (state.notifyWorkflowId) {
    let delivered = true;
    try {
      await getExternalWorkflowHandle(state.notifyWorkflowId).signal(verificationFinishedSignal, state);
    } catch {
      // The app's workflow is gone: nothing to retry; the timeline says it was not delivered.
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'workflow', delivered });
  }
  return told;
}

/**
 * Telling the app of provisional decisions, in the background: the push is retried until the
 * app's receiver accepts it, and callbacks must not wait for that. One at a time; when it settles,
 * its timeline changes are handed to `deliver` (they record which provisional decision was told).
 */
export class ProvisionalNotices {
  private current: CancellationScope | undefined;

  constructor(
    private readonly webhook: boolean,
    private readonly deliver: (changes: VerificationChange[]) => void,
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Tells the app of a provisional decision it has not been told of yet, if it is told of anything. */
  tellIfNew(state: VerificationState): void {
    const provisional = state.provisional;
    if (!provisional || !(this.webhook || state.notifyWorkflowId)) return;
    if (provisional.index >= (state.told?.provisional ?? 0)) this.tell(state);
  }

  /** Tells the app of the state's provisional decision, unless a notice is already on its way. */
  tell(state: VerificationState): void {
    const provisional = state.provisional;
    if (this.current || !provisional) return;
    const scope = new CancellationScope();
    this.current = scope;
    scope
      .run(() => tellProvisional(state, this.webhook, provisional.index))
      .then(
        (changes) => this.deliver(changes),
        (err: unknown) => {
          // Cancelled: the verification ended or continues as new. Anything else is recorded as
          // not delivered, so the same notice is not started again at once.
          if (!isCancellation(err)) {
            this.deliver([{ kind: 'notified', channel: 'webhook', delivered: false, provisional: provisional.index }]);
          }
        },
      )
      .finally(() => {
        if (this.current === scope) this.current = undefined;
      });
  }

  /** Stops a notice in flight: the verification ended (the end is told instead), or continues as new (and tells there). */
  cancel(): void {
    this.current?.cancel();
    this.current = undefined;
  }
}

/**
 * One provisional decision, to every channel the app asked for. The webhook ID names the decision
 * (`<workflowId>:provisional:<index>`), the same across retries and runs, so a receiver drops a copy.
 */
async function tellProvisional(
  state: VerificationState,
  webhook: boolean,
  index: number,
): Promise<VerificationChange[]> {
  const told: VerificationChange[] = [];
  if (webhook) {
    let delivered = true;
    try {
      const { workflowId } = workflowInfo();
      await notifyApp({ state, webhookId: `${workflowId}:provisional:${index}`, type: PROVISIONAL_EVENT_TYPE });
    } catch (err) {
      if (isCancellation(err)) throw err;
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'webhook', delivered, provisional: index });
  }
  if (state.notifyWorkflowId) {
    let delivered = true;
    try {
      await getExternalWorkflowHandle(state.notifyWorkflowId).signal(verificationProvisionalSignal, state);
    } catch (err) {
      if (isCancellation(err)) throw err;
      delivered = false;
    }
    told.push({ kind: 'notified', channel: 'workflow', delivered, provisional: index });
  }
  return told;
}
