/**
 * Pushes a finished verification's verdict to the app, signed the Standard Webhooks way
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so the app learns it without polling.
 * Temporal's activity retries are the delivery queue: a receiver that is down or failing is
 * retried with backoff until it accepts.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import type { NotifyConfig } from '../config/notify';
import { retryAfterMs } from '../http/retry-after';
import { NOTIFY_EVENT_TYPE, type AppNotifier, type NotifyInput } from '../contracts';

export const NotifyFailure = {
  /** No answer, a timeout, 5xx, 408 or 429: the app is not ready; retried until it accepts. */
  Unavailable: 'NotifyUnavailable',
  /** Another 4xx: the app refuses this request as such. Not retried. */
  Refused: 'NotifyRefused',
  /** The worker has no KYC_NOTIFY_URL/SECRET. Not retried. */
  NotConfigured: 'NotifyNotConfigured',
} as const;

export interface NotifyDeps {
  notify: NotifyConfig;
  /** Per attempt; the activity's retry policy decides how long it keeps trying. */
  requestTimeoutMs?: number;
  now?: () => Date;
}

export function createNotifyActivities(deps: NotifyDeps) {
  const send = appNotificationSender(deps);
  return {
    /** POSTs the state (final, or with a provisional decision) to KYC_NOTIFY_URL; resolves once the app answered 2xx. */
    async notifyApp(input: NotifyInput): Promise<void> {
      const { seen: _seen, ...data } = input.state;
      await send(input.type ?? NOTIFY_EVENT_TYPE, data, input.webhookId);
    },
  } satisfies AppNotifier;
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

/**
 * One signed POST to KYC_NOTIFY_URL; failures classified for the activity's retry policy. The
 * verdict push and the late-verdict push (src/late-verdicts/activity.ts) both send with it.
 */
export function appNotificationSender(deps: NotifyDeps) {
  const now = deps.now ?? (() => new Date());
  const webhook = deps.notify.enabled ? new Webhook(deps.notify.secret) : undefined;
  return async function send(type: string, data: unknown, webhookId: string): Promise<void> {
    if (!deps.notify.enabled || !webhook) {
      throw ApplicationFailure.create({
        type: NotifyFailure.NotConfigured,
        message: 'KYC_NOTIFY_URL and KYC_NOTIFY_SECRET are not set on this worker',
        nonRetryable: true,
      });
    }
    // Signed at each attempt: the timestamp is when this attempt is sent, so a receiver's
    // replay tolerance (5 minutes in the reference library) holds for late retries too.
    const sentAt = now();
    const body = JSON.stringify({ type, timestamp: sentAt.toISOString(), data });
    let response: Response;
    try {
      response = await fetch(deps.notify.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': webhook.sign(webhookId, sentAt, body),
        },
        body,
        signal: AbortSignal.timeout(deps.requestTimeoutMs ?? 10_000),
        redirect: 'manual',
      });
      // The body is not ours to read or log (the app's error page may say anything).
      await response.body?.cancel();
    } catch (err) {
      const reason = describeNetworkError(err);
      throw ApplicationFailure.create({
        type: NotifyFailure.Unavailable,
        message: `app notification endpoint unreachable (${reason})`,
      });
    }
    if (response.ok) return;
    const status = response.status;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // The app answered and refuses this very request (wrong secret, unknown route, payload it
      // rejects): the same signed bytes would be refused again on every retry, for as long as the
      // verification's retention. Stop, so the workflow records the failure for an operator.
      throw ApplicationFailure.create({
        type: NotifyFailure.Refused,
        message: `app notification endpoint refused the verdict with HTTP ${status}`,
        nonRetryable: true,
      });
    }
    // 5xx, 408, 429 and redirects (never followed: the signed request goes to the configured URL
    // only): the app is not ready now. Retried, honouring its Retry-After.
    throw ApplicationFailure.create({
      type: NotifyFailure.Unavailable,
      message: `app notification endpoint answered HTTP ${status}`,
      nextRetryDelay: retryAfterMs(response.headers.get('retry-after')),
    });
  };
}

/** "TypeError: fetch failed" says nothing; its cause (ECONNREFUSED, a timeout) does. No URL or body in it. */
function describeNetworkError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm, where `instanceof Error` is false.
  const { name, message, cause } = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  return cause?.code ?? (name && message ? `${name}: ${message}` : 'unknown error');
}
