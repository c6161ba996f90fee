/**
 * The activities the workflows call, as the workflows see them: names, inputs and answers. The
 * worker registers implementations that satisfy these (src/activities/, src/late-verdicts/activity.ts);
 * workflow code proxies them by these interfaces, never by the implementation.
 */
import type { VerificationEvent, VerificationPolicy } from '../verification/model';
import type { LateVerdictNotifyInput } from './late-verdict';
import type { NotifyInput } from './notification';

export interface PollRequest {
  provider: string;
  reference: string;
  context: Record<string, string>;
  /**
   * True when a callback announced that the result is ready: an answer without the result then
   * counts as "not ready yet" and is retried, instead of being returned.
   */
  expectResult: boolean;
}

/** Asking the provider, and reading the worker's policy for it. */
export interface ProviderActivities {
  /** A scheduled poll: the verification's current state at the provider, as a canonical event. */
  pollProvider(request: PollRequest): Promise<VerificationEvent>;
  /** The same question at the deadline; its own name so the history reads as the verification's steps. */
  confirmDeadline(request: PollRequest): Promise<VerificationEvent>;
  /** A result a callback announced; "not ready yet" is a retryable failure. */
  fetchAnnouncedResult(request: PollRequest): Promise<VerificationEvent>;
  /** The worker's policy for a provider (a local activity: the workflow's starter needs no provider settings). */
  verificationPolicy(provider: string): Promise<VerificationPolicy>;
}

/** The verdict push (registered when KYC_NOTIFY_URL is set; refuses non-retryably otherwise). */
export interface AppNotifier {
  notifyApp(input: NotifyInput): Promise<void>;
}

/** The late-verdict push. */
export interface LateVerdictNotifier {
  notifyAppOfLateVerdict(input: LateVerdictNotifyInput): Promise<void>;
}

/**
 * Per-provider retrieval task queues: every call to a provider's API runs on its own queue, whose
 * workers set `maxTaskQueueActivitiesPerSecond`, so the server itself caps the poll rate per
 * provider across all workers (an outage's end cannot wake every verification's poll at once).
 */
export function retrievalTaskQueue(taskQueue: string, provider: string): string {
  return `${taskQueue}-retrieval-${provider}`;
}
