import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { AppConfig } from '../app-config';
import type { Logger } from '../logger';
import { createIngressApp, type IngressDeps } from './app';
import { DeadLetterRecorder } from '../dead-letters/recorder';
import type { DurableInbox } from '../inbox/durable-inbox';
import { openInbox } from '../inbox/open';
import { InboxDrainer } from '../inbox/drainer';
import { IngressMetrics } from './metrics';
import { StartBudget } from '../temporal/start-budget';

export interface DurableIngress {
  app: Express;
  inbox: DurableInbox;
  drainer: InboxDrainer;
  /** Stops the drainer and releases the inbox (entries stay on disk for the next start). */
  close(): Promise<void>;
}

/**
 * The ingress as the mains run it: the webhook app plus its durability parts, the local inbox
 * (KYC_INBOX_DIR) with its background drainer, and the dead-letter recorder, all within one
 * start bound (KYC_CALLBACK_STARTS_PER_MINUTE).
 */
export async function createDurableIngress(
  deps: { client: Client; config: AppConfig; logger: Logger } & Partial<IngressDeps>,
): Promise<DurableIngress> {
  const { client, config, logger } = deps;
  const inbox = await openInbox(config, config.reliability.inboxDir, logger);
  // One bound for everything this process starts from callbacks: verifications, dead letters, the inbox's.
  const startBudget = deps.startBudget ?? new StartBudget(config.ingress.callbackStartsPerMinute);
  const deadLetters = new DeadLetterRecorder({ client, config, logger, fallback: inbox });
  const metrics = deps.metrics ?? new IngressMetrics();
  const drainer = new InboxDrainer({
    inbox,
    client,
    config,
    logger,
    lateVerdictCounter: metrics.lateVerdicts,
    startBudget,
  });
  drainer.start();
  const app = createIngressApp({ ...deps, metrics, inbox, deadLetters, startBudget });
  return {
    app,
    inbox,
    drainer,
    close: async () => {
      await drainer.stop();
      await inbox.close();
    },
  };
}
