/**
 * One durable workflow per verification: its story from the start to a verdict. Callbacks and
 * the app's requests arrive as signals; every change, whatever its source, goes through the one
 * reducer. Between arrivals the workflow fetches a result a callback announced, polls when
 * callbacks go missing, confirms the deadline with the provider, and keeps its history short.
 * Provider calls run in the background: an arrived callback is applied whatever the provider's
 * API is doing.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type PollRequest,
  cancelSignal,
  providerEventSignal,
  refreshSignal,
  registerSignal,
  stateQuery,
  type VerificationInput,
  LEAN_PATCH,
  PROVISIONAL_PATCH,
  WAKE_TIMER_PATCH,
} from '../contracts';
import { readCancellation, readProviderEvent, readRegistration, type SignalName } from '../verification/incoming';
import { LATE_VERDICT } from '../verification/late-verdict';
import { isTerminal, type VerificationState, type PollResult } from '../verification/model';
import { reduce, type ReduceRules, type VerificationChange } from '../verification/reducer';
import { deadlineCheckAt, lifetimeEndsAt, POLICY_NOT_READ_YET } from '../verification/waiting';
import { ProvisionalNotices, tellTheApp } from './app-notification';
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
  setHandler(stateQuery, () => state);
  // A signal is untyped on the wire: each argument is checked here, so the reducer only ever sees
  // the model's types, and a malformed one is recorded (never a failed workflow task).
  setHandler(providerEventSignal, (event: unknown) => void arrivals.push(providerEvent(event)));
  setHandler(registerSignal, (registration: unknown) => void arrivals.push(registered(registration)));
  // A cancellation is a change like any other, so it takes its place in arrival order.
  setHandler(cancelSignal, (request: unknown) => void arrivals.push(cancelRequested(request)));
  // Whatever comes with a refresh is ignored: it has no argument.
  setHandler(refreshSignal, () => void arrivals.push({ kind: 'refresh-requested' }));

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
    const { wait } = state;
    const due = [lifetimeEnd()];
    // While a call is in flight, its answer wakes us; only a deadline that needs no call is timed.
    // A provisional decision is not expired: its review window is timed instead.
    const held = provisionalHeld();
    if (!held && (!calls.busy || wait.resultAnnounced)) due.push(deadlineCheckAt(state.expiresAt, wait));
    if (!calls.busy) due.push(Date.parse(wait.nextPollAt));
    if (held && !calls.busy) due.push(Date.parse(held.reviewEndsAt));
    // An announced result with no fetch in flight is due now (a run continued as new cancelled its fetch).
    if (!calls.busy && wait.resultAnnounced) due.push(wait.fetchRetryAt ? Date.parse(wait.fetchRetryAt) : Date.now());
    await wake.until(Math.min(...due), () => arrivals.length > 0);
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
    const held = provisionalHeld();
    if (!held || !(policy.notify || state.notifyWorkflowId)) return;
    if (held.index >= (state.told?.provisional ?? 0)) notices.tell(state);
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

  function providerEvent(value: unknown): VerificationChange {
    const read = readProviderEvent(value, { provider, reference });
    return read.ok ? { kind: 'callback', event: read.value } : malformedSignal('providerEvent', read.problem);
  }

  function registered(value: unknown): VerificationChange {
    const read = readRegistration(value);
    return read.ok ? { kind: 'registered', registration: read.value } : malformedSignal('register', read.problem);
  }

  function cancelRequested(value: unknown): VerificationChange {
    const read = readCancellation(value);
    return read.ok ? { kind: 'cancel-requested', ...read.value } : malformedSignal('cancel', read.problem);
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
    const info = workflowInfo();
    // Without the room, a run that continued as new mid-fetch could pass the limit again before its
    // own fetch settled, and hand the same unfinished fetch on from run to run.
    const limit = calls.busy ? 2 * policy.maxHistoryEvents : policy.maxHistoryEvents;
    return !isTerminal(state.status) && (info.continueAsNewSuggested || info.historyLength >= limit);
  }
}

function malformedSignal(signal: SignalName, problem: string): VerificationChange {
  return { kind: 'malformed', signal, problem };
}

function answered(purpose: CallPurpose, result: PollResult): VerificationChange {
  if (purpose === 'deadline') return { kind: 'deadline-reached', check: result };
  if (purpose === 'review-end') return { kind: 'review-window-ended', check: result };
  return { kind: 'polled', purpose, result };
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
