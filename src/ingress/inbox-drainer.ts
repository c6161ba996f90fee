import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import { deadLetterWorkflowId, type DeadLetter } from '../dead-letters/contract';
import { storeDeadLetter } from '../dead-letters/store';
import type { Logger } from '../logger';
import { deliverEvent } from '../temporal/deliver';
import { kycWorkflowId } from '../workflows/messages';
import type { Counter } from 'prom-client';
import { LateVerdictAlarm } from '../late-verdicts/alarm';
import { buildDeadLetter, deadLetterHome } from './dead-letters';
import type { DurableInbox, InboxEntry } from './inbox';
import type { StartBudget } from './start-budget';
import type { ProviderId } from '../verification/model';

const IDLE_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const HANDOVER_TIMEOUT_MS = 10_000;

/**
 * Hands the inbox's entries to Temporal, oldest first, deleting each only once Temporal has it.
 * While Temporal is away it backs off (up to 30 s) and tries again; it survives restarts because
 * the entries are files. A crash between hand-over and delete sends the entry again: the event's
 * dedup key (or the letter's fingerprint) makes that second delivery a no-op.
 *
 * It starts workflows within the ingress's start bound (KYC_CALLBACK_STARTS_PER_MINUTE): an entry
 * that would start one past it stays for a later pass (and is not even read again until its
 * provider may start one), while the entries behind it go on.
 */
export class InboxDrainer {
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  /** Entries handed over since start, for metrics and tests. */
  delivered = 0;
  /** Entries left for later by the start bound, and whose bound they wait for. */
  private readonly waitingForStart = new Map<string, ProviderId>();

  private readonly lateVerdicts: LateVerdictAlarm;

  constructor(
    private readonly deps: {
      inbox: DurableInbox;
      client: Client;
      config: AppConfig;
      logger: Logger;
      /** The ingress's `kyc_late_verdicts_total`, so a late verdict met here is counted too. */
      lateVerdictCounter?: Counter<'provider'>;
      /** Shared with the ingress: workflows started from callbacks, per provider per minute. */
      startBudget?: StartBudget;
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
    const { inbox, logger, startBudget } = this.deps;
    let empty = true;
    for (const name of await inbox.pending()) {
      if (this.stopped) return false;
      const waitsFor = this.waitingForStart.get(name);
      if (waitsFor && startBudget && !startBudget.hasToken(waitsFor)) {
        empty = false;
        continue;
      }
      let entry: InboxEntry;
      try {
        entry = await inbox.read(name);
      } catch {
        logger.error('unreadable inbox entry set aside', { entry: name });
        await inbox.quarantine(name);
        continue;
      }
      if ((await this.deliver(entry)) === 'waits_for_start') {
        this.waitingForStart.set(name, entry.kind === 'event' ? entry.provider : entry.letter.provider);
        empty = false;
        continue;
      }
      this.waitingForStart.delete(name);
      await inbox.remove(name);
      this.delivered += 1;
    }
    return empty;
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

  /**
   * Stores a dead letter if its workflow may be started now (always, without a start bound),
   * giving the start back when the store fails; false when it must wait for the bound.
   */
  private async storeWithinBound(letter: DeadLetter, fingerprint: string, deadline: number): Promise<boolean> {
    const { client, config, startBudget } = this.deps;
    const id = deadLetterWorkflowId(letter.provider, fingerprint);
    const grant = startBudget ? startBudget.mayStart(letter.provider, id) : 'known';
    if (!grant) return false;
    try {
      await client.connection.withDeadline(deadline, () =>
        storeDeadLetter(client, deadLetterHome(config, letter.reason), letter, fingerprint),
      );
    } catch (err) {
      if (grant === 'granted') startBudget?.giveBack(letter.provider);
      throw err;
    }
    startBudget?.noteExists(id);
    return true;
  }

  private async deliver(entry: InboxEntry): Promise<'done' | 'waits_for_start'> {
    const { client, config, logger, startBudget } = this.deps;
    const deadline = Date.now() + HANDOVER_TIMEOUT_MS;
    if (entry.kind === 'dead-letter') {
      const stored = await this.storeWithinBound(entry.letter, entry.fingerprint, deadline);
      return stored ? 'done' : 'waits_for_start';
    }
    const workflowId = kycWorkflowId(entry.provider, entry.event.reference);
    // Without a start left, it may still join an existing verification.
    const grant = entry.startIfMissing ? (startBudget?.mayStart(entry.provider, workflowId) ?? 'known') : false;
    let outcome;
    try {
      outcome = await client.connection.withDeadline(deadline, () =>
        deliverEvent(client, config.temporal.taskQueue, entry.event, grant !== false),
      );
    } catch (err) {
      if (grant === 'granted') startBudget?.giveBack(entry.provider);
      throw err;
    }
    if (outcome === 'absent' && entry.startIfMissing) return 'waits_for_start';
    if (outcome === 'accepted') startBudget?.noteExists(workflowId);
    // A closed verification: nothing was started.
    if (outcome === 'late' && grant === 'granted') startBudget?.giveBack(entry.provider);
    logger.info('inbox entry handed over', { provider: entry.provider, outcome });
    if (outcome === 'late') {
      // It closed while the event waited here: kept as a late dead letter, like at the door, and a
      // late verdict is raised as there. A failure leaves the entry for the next pass.
      const late = await this.lateVerdicts.letterFor(entry.provider, workflowId, [entry.event], entry.receivedAt);
      const { letter, fingerprint } = buildDeadLetter(late.refused, {
        keepBody: false,
        maxBytes: config.reliability.deadLetterMaxBytes,
      });
      if (!(await this.storeWithinBound(letter, fingerprint, deadline))) return 'waits_for_start';
      await this.lateVerdicts.raise(late);
    }
    return 'done';
  }
}
