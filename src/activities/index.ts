import { ApplicationFailure, Context } from '@temporalio/activity';
import type { RetrievalClient } from '../providers/types';
import { ProviderFailure, PERMANENT_PROVIDER_FAILURES } from '../verification/provider-failure';
import { ProviderCallError } from '../providers/http';
import { isTerminal, type VerificationEvent, type VerificationPolicy } from '../verification/model';
import { withinActivityDeadline } from './call-deadline';
import type { AppNotifier, PollRequest, ProviderActivities } from '../contracts';
import { createNotifyActivities, type NotifyDeps } from './notify';

export interface ActivityDeps {
  /** By provider ID. */
  retrieval: Partial<Record<string, RetrievalClient>>;
  /** Each enabled provider's timing, from the worker's configuration (not from whoever started the verification). */
  policies?: Partial<Record<string, VerificationPolicy>>;
  /** Where verdicts are pushed (KYC_NOTIFY_URL); absent: notifyApp refuses, non-retryably. */
  notify?: NotifyDeps;
}

/**
 * The activities, built from injected provider clients so tests pass real clients pointed at
 * simulators (or fakes) without mocking modules. Activities are thin: they call the provider's
 * retrieval client and classify its errors, once, into `ApplicationFailure` types.
 */
export function createActivities(deps: ActivityDeps) {
  const pollProvider = async (request: PollRequest): Promise<VerificationEvent> => {
    const client = deps.retrieval[request.provider];
    if (!client) {
      throw ApplicationFailure.create({
        type: ProviderFailure.NotConfigured,
        message: `no retrieval client for ${request.provider}`,
        nonRetryable: true,
      });
    }
    let event: VerificationEvent;
    try {
      event = await withinActivityDeadline(() => client.retrieve(request.reference, request.context));
    } catch (err) {
      // Cancelled: report it as such (the CancelledFailure), not as a provider outage.
      const { cancellationSignal } = Context.current();
      if (cancellationSignal.aborted) throw cancellationSignal.reason;
      throw toApplicationFailure(err);
    }
    // An answer that needs a human (`attention`) is returned as it is: waiting for "ready" would
    // postpone it silently.
    if (request.expectResult && !event.meaning.decision && !isFinal(event) && !event.meaning.attention) {
      throw ApplicationFailure.create({
        type: ProviderFailure.NotReady,
        message: `${request.provider} has not published the announced result yet (status ${event.providerStatus})`,
      });
    }
    return event;
  };
  return {
    ...createNotifyActivities(deps.notify ?? { notify: { enabled: false } }),
    /** Asks the provider for the verification's current state, as a canonical event (a scheduled poll). */
    pollProvider,
    /** The same question at the deadline; its own name so the history reads as the verification's steps. */
    confirmDeadline: pollProvider,
    /** Fetches a result a callback announced; "not ready yet" is a retryable failure. */
    fetchAnnouncedResult: (request: PollRequest) => pollProvider({ ...request, expectResult: true }),
    /** The worker's policy for a provider (a local activity: the workflow's starter needs no provider settings). */
    verificationPolicy(provider: string): Promise<VerificationPolicy> {
      const policy = deps.policies?.[provider];
      if (policy) return Promise.resolve(policy);
      // Retried: a worker that serves this provider may join, or this one be reconfigured.
      return Promise.reject(
        ApplicationFailure.create({
          type: ProviderFailure.NotConfigured,
          message: `provider ${provider} is not enabled on this worker (KYC_PROVIDERS)`,
        }),
      );
    },
  } satisfies ProviderActivities & AppNotifier;
}

export type KycActivities = ReturnType<typeof createActivities>;

function isFinal(event: VerificationEvent): boolean {
  return event.meaning.status !== undefined && isTerminal(event.meaning.status);
}

/** Classifies a provider error once; message texts never carry response bodies (they may hold personal data). */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ProviderCallError) {
    return ApplicationFailure.create({
      type: err.failureType,
      message: err.message,
      nonRetryable: PERMANENT_PROVIDER_FAILURES.includes(err.failureType),
      nextRetryDelay: err.retryAfterMs,
    });
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
  return ApplicationFailure.create({ type: ProviderFailure.Unavailable, message });
}
