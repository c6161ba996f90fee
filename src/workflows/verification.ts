/**
 * One durable workflow per verification: it applies callbacks and polls through the reducer,
 * asks the provider for announced results, polls when callbacks go missing, and expires the
 * verification when its time is up, until a terminal status is reached.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  allHandlersFinished,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { KycActivities } from '../activities';
import type { PollRequest } from '../activities/types';
import { PERMANENT_PROVIDER_FAILURES, ProviderFailure } from '../providers/failure-types';
import { KycDecision, KycProvider, KycStatus } from '../temporal/search-attributes';
import { initialState, isTerminal, type VerificationEvent, type VerificationState } from '../verification/model';
import { reduce, withTimeline } from '../verification/reducer';
import {
  cancelSignal,
  providerEventSignal,
  registerSignal,
  stateQuery,
  type AppRegistration,
  type VerificationInput,
  type WaitProgress,
} from './messages';

// A scheduled poll is one look: a short retry for a blip, then the schedule's next slot is the retry.
const { pollProvider: pollOnce } = proxyActivities<KycActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '2s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [...PERMANENT_PROVIDER_FAILURES, ProviderFailure.NotReady],
  },
});

/**
 * A result a callback announced is retried until the provider answers: an outage or a slow
 * provider delays the verdict, it never produces one. Retry-After is honoured by the activity
 * (nextRetryDelay); the backoff comes from configuration, fixed when the verification starts.
 */
function announcedResultFetcher(policy: VerificationInput['policy']) {
  return proxyActivities<KycActivities>({
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: policy.retrievalRetryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: policy.retrievalRetryMaximumMs,
      nonRetryableErrorTypes: PERMANENT_PROVIDER_FAILURES,
    },
  }).pollProvider;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export async function verificationWorkflow(input: VerificationInput): Promise<VerificationState> {
  const { provider, reference, policy } = input;
  const retrieveAnnounced = announcedResultFetcher(policy);
  let state: VerificationState = input.carried ?? initialState(provider, reference, nowIso());
  state.expiresAt ??= isoAt(Date.parse(state.createdAt) + policy.expiresAfterMs);
  const progress: WaitProgress = input.carriedProgress ?? {
    quietSince: state.createdAt,
    pollAttempt: 0,
    resultAnnounced: false,
  };
  const inbox: VerificationEvent[] = [];
  const registrations: AppRegistration[] = [];
  let retrieval: CancellationScope | undefined;
  let nextPollAt = schedulePoll();
  let lastMirrored: string | undefined;

  setHandler(stateQuery, () => state);
  setHandler(providerEventSignal, (event) => void inbox.push(event));
  setHandler(registerSignal, (registration) => void registrations.push(registration));
  // A cancellation is an event like any other, so it takes its place in arrival order.
  setHandler(cancelSignal, (request) => void inbox.push(cancellationEvent(request)));

  mirrorToSearchAttributes();
  if (progress.resultAnnounced && !isTerminal(state.status)) startRetrieval();

  while (!isTerminal(state.status)) {
    // While an announced result is being fetched, fallback polls wait for that fetch to settle;
    // the expiry deadline does not.
    const fetching = retrieval;
    const wake = fetching ? expiryCheckAt() : Math.min(nextPollAt, expiryCheckAt());
    await condition(
      () => inbox.length > 0 || registrations.length > 0 || (fetching !== undefined && !retrieval),
      msUntil(wake),
    );

    applyRegistrations();
    applyInbox();
    if (isTerminal(state.status)) break;

    if (Date.now() >= nextPollAt && !retrieval) await pollOnSchedule();
    if (Date.now() >= expiryCheckAt() && !isTerminal(state.status)) await checkExpiry();
    applyInbox();

    if (!isTerminal(state.status) && historyIsLong()) await carryOnAsNew();
  }

  retrieval?.cancel();
  mirrorToSearchAttributes();
  log.info('verification finished', { status: state.status, decision: state.decision });
  return state;

  /** The app registered the verification (possibly after callbacks already started it). */
  function applyRegistrations(): void {
    for (const registration of registrations.splice(0)) {
      state = { ...state, registeredByApp: true, updatedAt: nowIso() };
      if (registration.customerReference) state.customerReference = registration.customerReference;
      // The app knows its own verification best: its context wins over what callbacks inferred.
      if (registration.context) state.context = { ...state.context, ...registration.context };
      // A signal is untyped on the wire: an unreadable date must not become a NaN timer.
      if (registration.expiresAt && !Number.isNaN(Date.parse(registration.expiresAt)) && !isTerminal(state.status)) {
        state.expiresAt = new Date(Date.parse(registration.expiresAt)).toISOString();
      }
    }
  }

  function cancellationEvent(request: { reason?: string }): VerificationEvent {
    const event: VerificationEvent = {
      provider,
      reference,
      providerStatus: 'CANCELLED_BY_APP',
      source: 'app',
      dedupKey: 'app:cancel',
      meaning: { status: 'CANCELLED' },
    };
    // Only a short code is kept (the client enforces it): free text could carry personal data.
    if (request.reason && /^[A-Za-z0-9_.-]{1,64}$/.test(request.reason)) event.detail = request.reason;
    return event;
  }

  /** Every callback and poll answer goes through the one reducer, in arrival order. */
  function applyInbox(): void {
    for (const event of inbox.splice(0)) {
      apply(event);
      if (event.source === 'callback') {
        // A callback shows the provider is talking to us: the fallback polling waits for the next silence.
        progress.quietSince = nowIso();
        progress.pollAttempt = 0;
        nextPollAt = schedulePoll();
      }
      if (event.meaning.retrieve && !isTerminal(state.status)) {
        progress.resultAnnounced = true;
        startRetrieval();
      }
    }
  }

  function apply(event: VerificationEvent): void {
    const reduction = reduce(state, event, nowIso());
    state = reduction.state;
    if (event.source === 'callback') state.lastCallbackAt = state.updatedAt;
    mirrorToSearchAttributes();
    log.info('event', { source: event.source, providerStatus: event.providerStatus, outcome: reduction.outcome });
  }

  /** Fetches an announced result in the background, so signals and timers keep being served meanwhile. */
  function startRetrieval(): void {
    if (retrieval) return;
    const scope = new CancellationScope();
    retrieval = scope;
    scope
      .run(() => retrieveAnnounced(pollRequest(true)))
      .then(
        (event) => void inbox.push(event),
        (err: unknown) => {
          if (isCancellation(err)) return;
          // Permanent: configuration or a broken answer. Recorded; fallback polling goes on, and
          // the announcement still stands, so the deadline will not expire it.
          recordPollFailure(err);
        },
      )
      .finally(() => {
        if (retrieval === scope) retrieval = undefined;
      });
  }

  async function pollOnSchedule(): Promise<void> {
    progress.pollAttempt += 1;
    state = { ...state, polls: state.polls + 1 };
    try {
      inbox.push(await pollOnce(pollRequest(false)));
    } catch (err) {
      recordPollFailure(err);
    }
    nextPollAt = schedulePoll();
  }

  /**
   * The deadline passed without a terminal event: ask the provider once more, since a callback
   * may simply have been lost. EXPIRED only when the provider answers with a status we know,
   * short of a result, and never announced one (or does not know the reference at all). Any
   * other answer postpones the check: an outage, our own misconfiguration, an announced result
   * still pending or a word we do not know never turns into a verdict.
   */
  async function checkExpiry(): Promise<void> {
    // A fetch still "not ready" at the deadline is bounded here: the confirming poll decides.
    retrieval?.cancel();
    retrieval = undefined;
    state = { ...state, polls: state.polls + 1 };
    let providerHasNothing: boolean;
    try {
      const answer = await pollOnce(pollRequest(false));
      inbox.push(answer);
      // A word we know and that holds no result; an unknown word decides nothing.
      providerHasNothing =
        (answer.meaning.status !== undefined || answer.meaning.informational === true) && !answer.meaning.retrieve;
    } catch (err) {
      providerHasNothing = recordPollFailure(err) === ProviderFailure.NotReady;
    }
    applyInbox();
    if (isTerminal(state.status)) return;
    if (!providerHasNothing || progress.resultAnnounced) {
      const delay = Math.min(5 * 60_000 * 2 ** Math.min(progress.expiryChecks ?? 0, 4), HOUR_MS);
      progress.expiryChecks = (progress.expiryChecks ?? 0) + 1;
      progress.nextExpiryCheckAt = isoAt(Date.now() + delay);
      if (progress.resultAnnounced) startRetrieval();
      return;
    }
    apply({
      provider,
      reference,
      providerStatus: 'EXPIRY_REACHED',
      source: 'timer',
      dedupKey: 'timer:expired',
      meaning: { status: 'EXPIRED' },
    });
  }

  function recordPollFailure(err: unknown): string {
    const type = failureType(err);
    state = withTimeline(
      { ...state, updatedAt: nowIso() },
      { at: nowIso(), source: 'poll', providerStatus: type, outcome: 'poll-failed', status: state.status },
    );
    log.warn('provider poll failed', { type });
    return type;
  }

  function pollRequest(expectResult: boolean): PollRequest {
    return { provider, reference, context: state.context, expectResult };
  }

  /** Next fallback poll: grace after the last silence began, then the schedule, then daily; with ±10% jitter. */
  function schedulePoll(): number {
    const attempt = progress.pollAttempt;
    const base =
      attempt === 0
        ? Date.parse(progress.quietSince) + policy.callbackGraceMs
        : Date.now() + (policy.pollScheduleMs[attempt - 1] ?? DAY_MS);
    const spread = attempt === 0 ? 0 : (policy.pollScheduleMs[attempt - 1] ?? DAY_MS) * 0.1;
    return base + (Math.random() * 2 - 1) * spread;
  }

  function expiryCheckAt(): number {
    const expiresAt = Date.parse(state.expiresAt ?? state.createdAt);
    const later = progress.nextExpiryCheckAt ? Date.parse(progress.nextExpiryCheckAt) : 0;
    return Math.max(expiresAt, later);
  }

  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= policy.maxHistoryEvents;
  }

  /** Keeps history bounded: hand the state, the dedup set and the wait's progress to a fresh run. */
  async function carryOnAsNew(): Promise<void> {
    retrieval?.cancel();
    await condition(allHandlersFinished);
    applyRegistrations();
    applyInbox();
    retrieval?.cancel();
    if (isTerminal(state.status)) return;
    return continueAsNew<typeof verificationWorkflow>({ ...input, carried: state, carriedProgress: progress });
  }

  function mirrorToSearchAttributes(): void {
    // The UI's "current details" cost nothing in history; keep them fresh.
    setCurrentDetails(
      `**${provider}** · ${state.status}${state.decision ? ` / ${state.decision}` : ''}` +
        (state.providerStatus ? ` · provider status ${state.providerStatus}` : '') +
        ` · ${state.timeline.length} events, ${state.polls} polls`,
    );
    // Each upsert is a history event: write only when what operators filter on has changed.
    const mirrored = `${state.status}/${state.decision ?? ''}`;
    if (mirrored === lastMirrored) return;
    lastMirrored = mirrored;
    upsertSearchAttributes([
      { key: KycProvider, value: provider },
      { key: KycStatus, value: state.status },
      { key: KycDecision, value: state.decision ?? null },
    ]);
  }
}

function failureType(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return ProviderFailure.Unavailable;
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

function msUntil(at: number): number {
  return Math.max(1, Math.ceil(at - Date.now()));
}
