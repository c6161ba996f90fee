import type { Client } from '@temporalio/client';
import type { AppConfig } from '../app-config';
import { deadLetterWorkflowId, type DeadLetter, kycWorkflowId } from '../contracts';
import { storeDeadLetter } from '../dead-letters/store';
import type { Logger } from '../logger';
import { deliverEvent } from '../temporal/deliver';
import type { Counter } from 'prom-client';
import { LateVerdictAlarm } from '../late-verdicts/alarm';
import { deadLetterHome } from '../dead-letters/recorder';
import { grpcCode, refusedForWhatItIs } from '../temporal/refusals';
import { UnreadableEntryError, type DurableInbox, type InboxEntry } from './durable-inbox';
import type { StartBudget } from '../temporal/start-budget';
import { buildDeadLetter } from '../dead-letters/letter';

const IDLE_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const HANDOVER_TIMEOUT_MS = 10_000;

/** How an entry that Temporal refuses for what it is (not an outage) is retried before it is set aside. */
export interface PoisonPolicy {
  /** Refusals before the entry becomes a dead letter. */
  attempts: number;
  /** Pause after the first refusal, doubled after each next one. */
  firstBackoffMs: number;
  maxBackoffMs: number;
}

const DEFAULT_POISON_POLICY: PoisonPolicy = { attempts: 5, firstBackoffMs: 2000, maxBackoffMs: 60_000 };

/**
 * Hands the inbox's entries to Temporal, oldest first, deleting each only once Temporal has it.
 * While Temporal is away it backs off (up to 30 s) and tries again; it survives restarts because
 * the entries are files. A crash between hand-over and delete sends the entry again: the event's
 * dedup key (or the letter's fingerprint) makes that second delivery a no-op.
 *
 * An entry Temporal refuses for what it is (a poison entry: the same refusal whenever it is sent)
 * never holds back the entries after it: it is retried with its own backoff and, after
 * `poison.attempts` refusals, set aside as a dead letter (reason `undeliverable`).
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
  /** Entries set aside after repeated refusals since start. */
  setAside = 0;
  private readonly refusals = new Map<string, { count: number; retryAt: number }>();
  private readonly poison: PoisonPolicy;
  /** Entries left for later by the start bound, and whose bound they wait for. */
  private readonly waitingForStart = new Map<string, string>();

  private readonly lateVerdicts: LateVerdictAlarm;

  constructor(
    private readonly deps: {
      inbox: DurableInbox;
      client: Client;
      config: AppConfig;
      logger: Logger;
      /** The ingress's `kyc_late_verdicts_total`, so a late verdict met here is counted too. */
      lateVerdictCounter?: Counter<'provider'>;
      poison?: Partial<PoisonPolicy>;
      /** Shared with the ingress: workflows started from callbacks, per provider per minute. */
      startBudget?: StartBudget;
    },
  ) {
    this.poison = { ...DEFAULT_POISON_POLICY, ...deps.poison };
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

  /**
   * One pass over the inbox: true when it is empty afterwards. Throws when Temporal is away (the
   * loop backs off); an entry refused for what it is only waits for its own next attempt.
   */
  async drainOnce(): Promise<boolean> {
    const { inbox, startBudget } = this.deps;
    let left = 0;
    for (const name of await inbox.pending()) {
      if (this.stopped) return false;
      const refused = this.refusals.get(name);
      const waitsFor = this.waitingForStart.get(name);
      if ((refused && refused.retryAt > Date.now()) || (waitsFor && startBudget && !startBudget.hasToken(waitsFor))) {
        left += 1;
        continue;
      }
      const entry = await this.readOrSetAside(name);
      if (!entry) continue;
      try {
        if ((await this.deliver(entry)) === 'waits_for_start') {
          this.waitingForStart.set(name, entry.kind === 'event' ? entry.provider : entry.letter.provider);
          left += 1;
          continue;
        }
      } catch (err) {
        if (!refusedForWhatItIs(err)) throw err;
        if (!(await this.refusedAgain(name, entry, err))) left += 1;
        continue;
      }
      this.waitingForStart.delete(name);
      await inbox.remove(name);
      this.refusals.delete(name);
      this.delivered += 1;
    }
    return left === 0;
  }

  /** The entry, or undefined when it can never be read (moved to `unreadable/`). */
  private async readOrSetAside(name: string): Promise<InboxEntry | undefined> {
    const { inbox, logger } = this.deps;
    try {
      return await inbox.read(name);
    } catch (err) {
      if (!(err instanceof UnreadableEntryError)) throw err;
      logger.error('unreadable inbox entry set aside', { entry: name, reason: err.message });
      await inbox.quarantine(name, 'unreadable');
      return undefined;
    }
  }

  /**
   * Counts one refusal of an entry; past the policy's attempts the entry is kept as an
   * `undeliverable` dead letter (or, when even that is refused, moved to `undeliverable/`) and
   * leaves the inbox. True when it has left.
   */
  private async refusedAgain(name: string, entry: InboxEntry, err: unknown): Promise<boolean> {
    const { inbox, logger } = this.deps;
    const count = (this.refusals.get(name)?.count ?? 0) + 1;
    const error = err instanceof Error ? err.name : typeof err;
    const code = grpcCode(err);
    if (count < this.poison.attempts) {
      const backoff = Math.min(this.poison.firstBackoffMs * 2 ** (count - 1), this.poison.maxBackoffMs);
      this.refusals.set(name, { count, retryAt: Date.now() + backoff });
      logger.warn('inbox entry refused by Temporal; later entries go on', {
        entry: name,
        count,
        error,
        grpcCode: code,
      });
      return false;
    }
    if (await this.keepAsDeadLetter(entry)) {
      await inbox.remove(name);
      logger.error('inbox entry refused repeatedly: kept as a dead letter', {
        entry: name,
        count,
        error,
        grpcCode: code,
      });
    } else {
      await inbox.quarantine(name, 'undeliverable');
      logger.error('inbox entry refused repeatedly, and not kept as a dead letter: moved to undeliverable/', {
        entry: name,
        count,
        error,
        grpcCode: code,
      });
    }
    this.refusals.delete(name);
    this.setAside += 1;
    return true;
  }

  /**
   * Keeps a refused event as an `undeliverable` dead letter (IDs and status words only). False
   * when it cannot become one: a dead letter that was itself refused, or a letter Temporal
   * refuses too; an outage is thrown (the pass backs off and the entry waits).
   */
  private async keepAsDeadLetter(entry: InboxEntry): Promise<boolean> {
    const { client, config } = this.deps;
    if (entry.kind === 'dead-letter') return false;
    const { letter, fingerprint } = buildDeadLetter(
      {
        provider: entry.provider,
        reason: 'undeliverable',
        issues: [{ path: '', message: 'Temporal refused the hand-over of this event repeatedly' }],
        receivedAt: entry.receivedAt,
        events: [entry.event],
      },
      { keepBody: false, maxBytes: config.reliability.deadLetterMaxBytes },
    );
    try {
      await client.connection.withDeadline(Date.now() + HANDOVER_TIMEOUT_MS, () =>
        storeDeadLetter(client, deadLetterHome(config, letter.reason), letter, fingerprint),
      );
      return true;
    } catch (err) {
      if (!refusedForWhatItIs(err)) throw err;
      return false;
    }
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
          grpcCode: grpcCode(err),
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
      outcome = await deliverEvent(client, config.temporal.taskQueue, entry.event, {
        startIfMissing: grant !== false,
        deadline,
        lateIfClosed: entry.joinOnly === true,
      });
    } catch (err) {
      if (grant === 'granted') startBudget?.giveBack(entry.provider);
      throw err;
    }
    if (outcome === 'absent' && entry.startIfMissing) return 'waits_for_start';
    if (outcome === 'absent' && entry.joinOnly) {
      // Only the app starts its verification, and it has not yet: kept for that start, as at the door.
      const { letter, fingerprint } = buildDeadLetter(
        {
          provider: entry.provider,
          reason: 'unroutable',
          verificationId: workflowId,
          issues: [{ path: '', message: 'no verification is registered for it, and only the app starts one' }],
          receivedAt: entry.receivedAt,
          events: [entry.event],
        },
        { keepBody: false, maxBytes: config.reliability.deadLetterMaxBytes },
      );
      return (await this.storeWithinBound(letter, fingerprint, deadline)) ? 'done' : 'waits_for_start';
    }
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
