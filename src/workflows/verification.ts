/**
 * One durable workflow per verification: its story from the start to a verdict. Callbacks and
 * the app's requests arrive as signals; every change, whatever its source, goes through the one
 * reducer. Between arrivals the workflow fetches a result a callback announced, polls when
 * callbacks go missing, confirms the deadline with the provider, and keeps its history short.
 * Provider calls run in the background: an arrived callback is applied whatever the provider's
 * API is doing.
 */
import { allHandlersFinished, condition, continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import type { VerificationInput } from '../contracts';
import { LATE_VERDICT } from '../verification/late-verdict';
import { isTerminal, type VerificationState } from '../verification/model';
import { reduce, type VerificationChange } from '../verification/reducer';
import {
  deadlineCheckAt,
  historyIsLong,
  lifetimeEndsAt,
  nextWakeAt,
  POLICY_NOT_READ_YET,
} from '../verification/waiting';
import { ProvisionalNotices, tellTheApp } from './app-notification';
import { answered, listenForArrivals } from './arrivals';
import { decidePatches } from './patches';
import { ProviderCalls, verificationPolicy } from './provider-calls';
import { initialState } from '../verification/initial-state';

export async function verificationWorkflow(input: VerificationInput): Promise<VerificationState> {
  const { provider, reference } = input;
  const startedAt = nowIso();
  const arrivals: VerificationChange[] = [];
  // Until the worker's policy is read, a query sees the verification as pending.
  let state: VerificationState = input.carried ?? initialState(provider, reference, startedAt, POLICY_NOT_READ_YET);
  // Handlers first: a query or signal may arrive while the worker's policy is still being read.
  listenForArrivals({ provider, reference }, arrivals, () => state);

  // Patches are decided in the first task, before anything is awaited (see patches.ts).
  const { mirror, wake, rules } = decidePatches();
  const policy = input.policy ?? (await verificationPolicy(provider));
  if (!input.carried) state = initialState(provider, reference, startedAt, policy);
  const calls = new ProviderCalls(policy, (purpose, result) => arrivals.push(answered(purpose, result)));
  const notices = new ProvisionalNotices(policy.notify, (changes) => void arrivals.push(...changes));
  // Arrivals already waiting are applied and mirrored in this same task: one search-attribute upsert, not two.
  if (!wake.keeps || arrivals.length === 0) mirror(state);

  while (!isTerminal(state.status)) {
    await arrivalOrNextDeadline();
    applyArrivals();
    if (isTerminal(state.status)) break;
    tellProvisionalDecisionIfNew();
    fetchAnnouncedResultIfAny();
    pollIfDue();
    confirmExpiryIfDue();
    closeIfReviewWindowIsOver();
    closeIfLifetimeIsOver();
    if (historyIsLong(workflowInfo(), calls.busy, policy.maxHistoryEvents)) await continueAsNewWithTheState();
  }
  calls.cancel();
  notices.cancel();
  // A timer firing while the app is told would cost a workflow task for nothing.
  if (policy.notify || state.notifyWorkflowId) wake.cancel();
  for (const change of await tellTheApp(state, policy.notify)) apply(change);
  await recordWhatArrivedWhileTelling();
  log.info('verification finished', { status: state.status, decision: state.decision });
  return state;

  /** Sleeps until something arrives (a signal, a provider call settling) or the next poll or deadline is due. */
  async function arrivalOrNextDeadline(): Promise<void> {
    const at = { now: Date.now(), lifetimeEnd: lifetimeEnd(), callInFlight: calls.busy };
    const wakeAt = nextWakeAt(state.wait, state.expiresAt, { ...at, reviewEndsAt: provisionalHeld()?.reviewEndsAt });
    await wake.until(wakeAt, () => arrivals.length > 0);
  }

  /** Every arrival goes through the one reducer, in arrival order. */
  function applyArrivals(): void {
    for (const change of arrivals.splice(0)) apply(change);
    mirror(state);
  }

  /** A callback said the result is ready: fetch it, retrying until the provider publishes it. */
  function fetchAnnouncedResultIfAny(): void {
    const { resultAnnounced, fetchRetryAt } = state.wait;
    if (resultAnnounced && (!fetchRetryAt || Date.now() >= Date.parse(fetchRetryAt))) calls.ask('announced', state);
  }

  /** Callbacks went quiet past the grace: ask the provider, on the schedule. */
  function pollIfDue(): void {
    if (Date.now() >= Date.parse(state.wait.nextPollAt)) calls.ask('schedule', state);
  }

  /** The provider gave a provisional decision the app has not been told of: tell it, in the background. */
  function tellProvisionalDecisionIfNew(): void {
    if (provisionalHeld()) notices.tellIfNew(state);
  }

  /** The deadline passed without a verdict: ask once more, since a callback may have been lost. */
  function confirmExpiryIfDue(): void {
    if (provisionalHeld()) return;
    if (Date.now() < deadlineCheckAt(state.expiresAt, state.wait)) return;
    // An announced result is on its way: the deadline only postpones, without asking.
    if (state.wait.resultAnnounced) arrivals.push({ kind: 'deadline-reached' });
    else calls.ask('deadline', state);
  }

  /** A provisional decision's review window ran out: one last look at the provider, then it closes with it. */
  function closeIfReviewWindowIsOver(): void {
    const held = provisionalHeld();
    if (held && Date.now() >= Date.parse(held.reviewEndsAt)) calls.ask('review-end', state);
  }

  /** The provider never settled it: close the verification rather than wait forever. */
  function closeIfLifetimeIsOver(): void {
    if (Date.now() >= lifetimeEnd()) arrivals.push({ kind: 'lifetime-ended' });
  }

  function provisionalHeld(): VerificationState['provisional'] {
    return rules.provisional ? state.provisional : undefined;
  }

  function lifetimeEnd(): number {
    return lifetimeEndsAt(state.createdAt, state.expiresAt, policy, provisionalHeld()?.reviewEndsAt);
  }

  /** Callbacks that came while the app was told are recorded; a verdict against our own timer is told too. */
  async function recordWhatArrivedWhileTelling(): Promise<void> {
    const raised = state.attention.includes(LATE_VERDICT);
    applyArrivals();
    if (raised || !state.attention.includes(LATE_VERDICT)) return;
    for (const change of await tellTheApp(state, policy.notify, LATE_VERDICT)) apply(change);
  }

  /** Hands the state (dedup set and wait included) to a fresh run, so the history stays bounded. */
  async function continueAsNewWithTheState(): Promise<void> {
    calls.cancel();
    // A provisional decision not yet told is told by the next run (`told` says which).
    notices.cancel();
    await condition(allHandlersFinished);
    applyArrivals();
    if (isTerminal(state.status)) return;
    await continueAsNew<typeof verificationWorkflow>({ provider, reference, policy, carried: state });
  }

  function apply(change: VerificationChange): void {
    const { state: next, outcome } = reduce(state, change, { now: nowIso(), policy, random: Math.random, rules });
    state = next;
    const providerStatus = change.kind === 'callback' ? change.event.providerStatus : undefined;
    log.info('change', { kind: change.kind, providerStatus, outcome, status: state.status });
  }
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
