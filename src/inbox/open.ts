import type { AppConfig } from '../app-config';
import type { Logger } from '../logger';
import { DurableInbox } from './durable-inbox';

/**
 * The inbox at `dir` with the payload key ring (entries sealed before a key rotation stay
 * readable); the ingress's own, or, for `kyc inbox drain`, one a replica left behind.
 */
export async function openInbox(config: AppConfig, dir: string, logger: Logger): Promise<DurableInbox> {
  const { payloadKey, payloadOldKeys } = config.temporal;
  const inbox = await DurableInbox.open(dir, {
    maxBytes: config.reliability.inboxMaxBytes,
    ...(payloadKey ? { key: payloadKey } : {}),
    oldKeys: payloadOldKeys,
  });
  const pending = (await inbox.pending()).length;
  if (pending || inbox.sweptAtOpen) {
    // Temporary files are appends that never finished: none was acknowledged, so none is lost.
    logger.info('inbox opened', { dir, pending, temporaryFilesSwept: inbox.sweptAtOpen });
  }
  return inbox;
}
