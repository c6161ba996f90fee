import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import { storeDeadLetter } from '../dead-letters/store';
import type { Logger } from '../logger';
import { deliverEvent } from '../temporal/deliver';
import { kycWorkflowId } from '../workflows/messages';
import type { Counter } from 'prom-client';
import { LateVerdictAlarm } from '../late-verdicts/alarm';
import { buildDeadLetter, deadLetterHome } from './dead-letters';
import type { DurableInbox, InboxEntry } from './inbox';

const IDLE_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const HANDOVER_TIMEOUT_MS = 10_000;

/**
 * Hands the inbox's entries to Temporal, oldest first, deleting each only once Temporal has it.
 * While Temporal is away it backs off (up to 30 s) and tries again; it survives restarts because
 * the entries are files. A crash between hand-over and delete sends the entry again: the event's
 * dedup key (or the letter's fingerprint) makes that second delivery a no-op.
 */
export class InboxDrainer {
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  /** Entries handed over since start, for metrics and tests. */
  delivered = 0;

  private readonly lateVerdicts: LateVerdictAlarm;

  constructor(
    private readonly deps: {
      inbox: DurableInbox;
      client: Client;
      config: AppConfig;
      logger: Logger;
      /** The ingress's `kyc_late_verdicts_total`, so a late verdict met here is counted too. */
      lateVerdictCounter?: Counter<'provider'>;
    },
  ) {
    this.lateVerdicts = new LateVerdictAlarm({
      client: deps.client,
      config: deps.config,
      logger: deps.logger,
      timeoutMs: HANDOVER_TIMEOUT_MS,
      ...(deps.lateVerdictCounter ? { counter: deps.lateVerdictCounter } : {}),
    });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Drain now rather than at the next tick (called after an append). */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** One pass over the inbox: true when it is empty afterwards. */
  async drainOnce(): Promise<boolean> {
    const { inbox, logger } = this.deps;
    for (const name of await inbox.pending()) {
      if (this.stopped) return false;
      let entry: InboxEntry;
      try {
        entry = await inbox.read(name);
      } catch {
        logger.error('unreadable inbox entry set aside', { entry: name });
        await inbox.quarantine(name);
        continue;
      }
      await this.deliver(entry);
      await inbox.remove(name);
      this.delivered += 1;
    }
    return true;
  }

  private async run(): Promise<void> {
    let backoff = IDLE_MS;
    while (!this.stopped) {
      try {
        await this.drainOnce();
        backoff = IDLE_MS;
      } catch (err) {
        this.deps.logger.warn('inbox hand-over failed; retrying', {
          error: err instanceof Error ? err.name : typeof err,
          retryInMs: backoff,
        });
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async deliver(entry: InboxEntry): Promise<void> {
    const { client, config, logger } = this.deps;
    const deadline = Date.now() + HANDOVER_TIMEOUT_MS;
    if (entry.kind === 'dead-letter') {
      await client.connection.withDeadline(deadline, () =>
        storeDeadLetter(client, deadLetterHome(config, entry.letter.reason), entry.letter, entry.fingerprint),
      );
      return;
    }
    const outcome = await client.connection.withDeadline(deadline, () =>
      deliverEvent(client, config.temporal.taskQueue, entry.event, entry.startIfMissing),
    );
    logger.info('inbox entry handed over', { provider: entry.provider, outcome });
    if (outcome === 'late') {
      // It closed while the event waited here: kept as a late dead letter, like at the door, and a
      // late verdict is raised as there. A failure leaves the entry for the next pass.
      const verificationId = kycWorkflowId(entry.provider, entry.event.reference);
      const late = await this.lateVerdicts.letterFor(entry.provider, verificationId, [entry.event], entry.receivedAt);
      const { letter, fingerprint } = buildDeadLetter(late.refused, {
        keepBody: false,
        maxBytes: config.reliability.deadLetterMaxBytes,
      });
      await client.connection.withDeadline(deadline, () =>
        storeDeadLetter(client, deadLetterHome(config, letter.reason), letter, fingerprint),
      );
      await this.lateVerdicts.raise(late);
    }
  }
}
