import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { createIngressApp, type IngressDeps } from './app';
import { DeadLetterRecorder } from './dead-letters';
import { DurableInbox } from './inbox';
import { InboxDrainer } from './inbox-drainer';
import { IngressMetrics } from './metrics';

export interface DurableIngress {
  app: Express;
  inbox: DurableInbox;
  drainer: InboxDrainer;
  /** Stops the drainer and releases the inbox (entries stay on disk for the next start). */
  close(): Promise<void>;
}

/**
 * The ingress as the mains run it: the webhook app plus its durability parts, the local inbox
 * (KYC_INBOX_DIR) with its background drainer, and the dead-letter recorder.
 */
export async function createDurableIngress(
  deps: { client: Client; config: AppConfig; logger: Logger } & Partial<IngressDeps>,
): Promise<DurableIngress> {
  const { client, config, logger } = deps;
  const inbox = await DurableInbox.open(config.reliability.inboxDir, {
    maxBytes: config.reliability.inboxMaxBytes,
    ...(config.temporal.payloadKey ? { key: config.temporal.payloadKey } : {}),
  });
  const deadLetters = new DeadLetterRecorder({ client, config, logger, inbox });
  const metrics = deps.metrics ?? new IngressMetrics();
  const drainer = new InboxDrainer({ inbox, client, config, logger, lateVerdictCounter: metrics.lateVerdicts });
  drainer.start();
  const app = createIngressApp({ ...deps, metrics, inbox, deadLetters });
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
