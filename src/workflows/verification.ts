/**
 * One durable workflow per verification: its story from the start to a verdict. Callbacks and
 * the app's requests arrive as signals; every change, whatever its source, goes through the one
 * reducer. Between arrivals the workflow fetches a result a callback announced, polls when
 * callbacks go missing, confirms the deadline with the provider, and keeps its history short.
 * Provider calls run in the background: an arrived callback is applied whatever the provider's
 * API is doing.
 */
import { allHandlersFinished, condition, continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import {
  type PollRequest,
  type VerificationInput,
  LEAN_PATCH,
  PROVISIONAL_PATCH,
  WAKE_TIMER_PATCH,
} from '../contracts';
import { LATE_VERDICT } from '../verification/late-verdict';
import { isTerminal, type VerificationState } from '../verification/model';
import { reduce, type ReduceRules, type VerificationChange } from '../verification/reducer';
import { deadlineCheckAt, lifetimeEndsAt, nextWakeAt, POLICY_NOT_READ_YET } from '../verification/waiting';
import { ProvisionalNotices, tellTheApp } from './app-notification';
import { answered, listenForArrivals } from './arrivals';
import { ProviderCalls, verificationPolicy, type CallPurpose } from './provider-calls';
import { visibilityMirror } from './visibility';
import { WakeTimer } from './wake-timer';
import { initialState } from '../verification/initial-state';

export async function verificationWorkflow(input: VerificationInput): Promise<VerificationState> {
  const { provider, reference } = input;
  const startedAt = nowIso();
  const arrivals: VerificationChange[] = [];
  // Until the worker's policy is read, a query sees the verification as pending.
  let state: VerificationState = input.carried ?? initialState(provider, reference, startedAt, POLICY_NOT_READ_YET);
  // Handlers first: a query or signal may arrive while the worker's policy is still being read.
  listenForArrivals({ provider, reference }, arrivals, () => state);

  // Patches are decided in the first task, before anything is awaited (see visibility.ts).
  // Patch `kyc-lean`: runs started before it rewrite the search attributes their start set, and start
  // a timer even when arrivals already wait (see visibility.ts and wake-timer.ts).
  const lean = patched(LEAN_PATCH);
  const mirror = visibilityMirror(lean);
  // Patch `kyc-wake-timer`: runs started before it wait with `condition`'s own timer (see wake-timer.ts).
  const wake = new WakeTimer(patched(WAKE_TIMER_PATCH), lean);
  // Patch `kyc-provisional`: runs started before it end at a provider's first decision, as they did.
  const rules: ReduceRules = { provisional: patched(PROVISIONAL_PATCH) };
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
    if (historyIsLong()) await continueAsNewWithTheState();
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
    if (resultAnnounced && (!fetchRetryAt || Date.now() >= Date.parse(fetchRetryAt))) ask('announced');
  }

  /** Callbacks went quiet past the grace: ask the provider, on the schedule. */
  function pollIfDue(): void {
    if (Date.now() >= Date.parse(state.wait.nextPollAt)) ask('schedule');
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
    else ask('deadline');
  }

  /** A provisional decision's review window ran out: one last look at the provider, then it closes with it. */
  function closeIfReviewWindowIsOver(): void {
    const held = provisionalHeld();
    if (held && Date.now() >= Date.parse(held.reviewEndsAt)) ask('review-end');
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

  function ask(purpose: CallPurpose): void {
    const request: PollRequest = { provider, reference, context: state.context, expectResult: purpose === 'announced' };
    calls.start(purpose, request);
  }

  function apply(change: VerificationChange): void {
    const { state: next, outcome } = reduce(state, change, { now: nowIso(), policy, random: Math.random, rules });
    state = next;
    const providerStatus = change.kind === 'callback' ? change.event.providerStatus : undefined;
    log.info('change', { kind: change.kind, providerStatus, outcome, status: state.status });
  }

  /** Past the limit; a provider call in flight gets room to settle, so every run makes progress. */
  function historyIsLong(): boolean {
    // Without the room, a run that continued as new mid-fetch could pass the limit again before its
    // own fetch settled, and hand the same unfinished fetch on from run to run.
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    const limit = calls.busy ? 2 * policy.maxHistoryEvents : policy.maxHistoryEvents;
    return !isTerminal(state.status) && (continueAsNewSuggested || historyLength >= limit);
  }
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
