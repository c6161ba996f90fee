/**
 * `kyc inbox drain --dir PATH`: empties the inbox of an ingress replica that is gone for good (a
 * volume left behind, a host that will not come back), from any machine that mounts it and
 * reaches Temporal. The same drainer as the ingress's: each entry handed over and then deleted,
 * late events kept as dead letters, a poison entry set aside, the lock taken over once its
 * holder is gone; then the lock is released.
 */
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../app-config';
import type { Logger } from '../logger';
import { openInbox } from './open';
import { InboxDrainer } from './drainer';

export interface DrainReport {
  dir: string;
  delivered: number;
  setAside: number;
  /** Entries still in the inbox (Temporal away until the deadline). */
  left: number;
  temporaryFilesSwept: number;
}

export async function drainInbox(deps: {
  client: Client;
  config: AppConfig;
  logger: Logger;
  dir: string;
  /** How long to keep trying while Temporal is away or a refused entry waits for its next attempt. */
  timeoutMs: number;
}): Promise<DrainReport> {
  const { client, config, logger, dir } = deps;
  const inbox = await openInbox(config, dir, logger);
  const drainer = new InboxDrainer({ inbox, client, config, logger });
  const deadline = Date.now() + deps.timeoutMs;
  try {
    for (;;) {
      const empty = await drainer.drainOnce().catch((err: unknown) => {
        logger.warn('inbox hand-over failed; retrying', { error: err instanceof Error ? err.name : typeof err });
        return false;
      });
      if (empty || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return {
      dir,
      delivered: drainer.delivered,
      setAside: drainer.setAside,
      left: (await inbox.pending()).length,
      temporaryFilesSwept: inbox.sweptAtOpen,
    };
  } finally {
    await inbox.close();
  }
}
