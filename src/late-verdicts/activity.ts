/**
 * The late-verdict push (src/late-verdicts/workflow.ts), registered by the verification worker:
 * a Standard Webhooks POST of its own event type, so an app that only knows `finished` is not
 * misled, sent and retried like the verdict push.
 */
import { appNotificationSender, type NotifyDeps } from '../activities/notify';
import { LATE_VERDICT_EVENT_TYPE, type LateVerdictNotifier, type LateVerdictNotifyInput } from '../contracts';

export function createLateVerdictNotifyActivities(deps: NotifyDeps) {
  const send = appNotificationSender(deps);
  return {
    /** POSTs a late verdict to KYC_NOTIFY_URL; resolves once the app answered 2xx. */
    async notifyAppOfLateVerdict(input: LateVerdictNotifyInput): Promise<void> {
      await send(LATE_VERDICT_EVENT_TYPE, input.data, input.webhookId);
    },
  } satisfies LateVerdictNotifier;
}
