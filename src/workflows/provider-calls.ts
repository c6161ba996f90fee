/**
 * How the verification workflow asks a provider: the activity options, and a runner that keeps
 * at most one call in flight in the background, so that nothing the workflow waits for holds
 * back a callback that has already arrived.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { PollRequest, ProviderActivities } from '../contracts';
import { PERMANENT_PROVIDER_FAILURES, ProviderFailure } from '../verification/provider-failure';
import { readProviderEvent } from '../verification/incoming';
import type { VerificationEvent, PollResult, VerificationPolicy, VerificationState } from '../verification/model';

/**
 * Provider calls heartbeat while they wait (src/activities/call-deadline.ts): a cancellation
 * reaches an activity only in the answer to a heartbeat, which the SDK sends at most every 80 %
 * of this. So a call the workflow stops (the verification ended) is aborted within seconds, and
 * a worker that died mid-call is noticed before the 30 s startToClose.
 */
const HEARTBEAT_TIMEOUT = '10s';

/**
 * A scheduled poll (or a deadline check) is one look: a short retry for a blip, then the
 * schedule's next slot (or the postponed deadline) is the retry.
 */
function oneLook(policy: VerificationPolicy) {
  return proxyActivities<ProviderActivities>({
    ...onRetrievalQueue(policy),
    startToCloseTimeout: '30s',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: '2s',
      maximumAttempts: 3,
      nonRetryableErrorTypes: [...PERMANENT_PROVIDER_FAILURES, ProviderFailure.NotReady],
    },
  });
}

/** On the provider's rate-limited retrieval queue when the worker runs one (the server enforces its rate). */
function onRetrievalQueue(policy: VerificationPolicy): { taskQueue?: string } {
  return policy.retrievalTaskQueue ? { taskQueue: policy.retrievalTaskQueue } : {};
}

// The worker's own configuration, read once per run; retried until a worker serving the provider answers.
const { verificationPolicy } = proxyLocalActivities<ProviderActivities>({ startToCloseTimeout: '10s' });
export { verificationPolicy };

/**
 * A result a callback announced is retried until the provider answers: an outage or a slow
 * provider delays the verdict, it never produces one. Retry-After is honoured by the activity
 * (nextRetryDelay); the backoff comes from the policy, fixed when the verification starts.
 */
function announcedResultFetcher(policy: VerificationPolicy) {
  return proxyActivities<ProviderActivities>({
    ...onRetrievalQueue(policy),
    startToCloseTimeout: '30s',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: policy.retrievalRetryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: policy.retrievalRetryMaximumMs,
      nonRetryableErrorTypes: PERMANENT_PROVIDER_FAILURES,
    },
  }).fetchAnnouncedResult;
}

/** `review-end`: the last look at the provider when a provisional decision's review window runs out. */
export type CallPurpose = 'schedule' | 'deadline' | 'announced' | 'review-end';

/** One provider call at a time, in the background; its result is handed to `deliver` when it settles. */
export class ProviderCalls {
  private current: { purpose: CallPurpose; scope: CancellationScope } | undefined;
  private readonly fetchAnnounced: (request: PollRequest) => Promise<VerificationEvent>;
  private readonly look: ReturnType<typeof oneLook>;

  constructor(
    policy: VerificationPolicy,
    private readonly deliver: (purpose: CallPurpose, result: PollResult) => void,
  ) {
    this.fetchAnnounced = announcedResultFetcher(policy);
    this.look = oneLook(policy);
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Asks the provider about this verification, unless a call is in flight already. */
  ask(purpose: CallPurpose, state: Pick<VerificationState, 'provider' | 'reference' | 'context'>): void {
    const { provider, reference, context } = state;
    this.start(purpose, { provider, reference, context, expectResult: purpose === 'announced' });
  }

  start(purpose: CallPurpose, request: PollRequest): void {
    if (this.current) return;
    const call =
      purpose === 'announced'
        ? this.fetchAnnounced
        : purpose === 'deadline'
          ? this.look.confirmDeadline
          : this.look.pollProvider;
    const scope = new CancellationScope();
    this.current = { purpose, scope };
    scope
      .run(() => call(request))
      .then(
        (answer) => this.deliver(purpose, checkedAnswer(answer)),
        (err: unknown) => {
          if (!isCancellation(err)) this.deliver(purpose, { failure: failureType(err) });
        },
      )
      .finally(() => {
        if (this.current?.scope === scope) this.current = undefined;
      });
  }

  /** Stops the call in flight (the verification ended, or continues as new and asks again there). */
  cancel(): void {
    this.current?.scope.cancel();
    this.current = undefined;
  }
}

/**
 * An answer is built from the provider's body by our activity; one the model cannot read (a
 * meaning lost on the way, a field of the wrong type) is a bad response, like a body that fails
 * its schema, so the reducer only ever sees the model's types.
 */
function checkedAnswer(answer: unknown): PollResult {
  const read = readProviderEvent(answer);
  return read.ok ? { answer: read.value } : { failure: ProviderFailure.BadResponse };
}

function failureType(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return ProviderFailure.Unavailable;
}
