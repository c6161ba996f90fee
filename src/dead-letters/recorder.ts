/**
 * Callbacks refused after authentication become dead letters: kept with their reason and failing
 * field paths, so nothing a provider sent is silently dropped. Stored on Temporal (one small
 * workflow each); while Temporal is unreachable, the letter waits in the local inbox.
 */
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../app-config';
import { deadLetterWorkflowId, type DeadLetter, type DeadLetterReason } from '../contracts';
import type { Logger } from '../logger';
import { StartLimitedError, type StartBudget } from '../temporal/start-budget';
import { buildDeadLetter, type RefusedCallback } from './letter';
import { storeDeadLetter } from './store';

/**
 * Where a letter waits while Temporal is away: the ingress's local inbox (src/inbox/), which the
 * drainer empties into Temporal. Declared here so the dead letters need nothing of the inbox but this.
 */
export interface DeadLetterFallback {
  append(entry: { kind: 'dead-letter'; letter: DeadLetter; fingerprint: string }): Promise<void>;
}

/**
 * Where letters go: the task queue of the workers, and how long they are kept. A late verdict is
 * kept at least as long as its window, so an operator can still reopen for it.
 */
export function deadLetterHome(
  config: AppConfig,
  reason?: DeadLetterReason,
): { taskQueue: string; retentionMs: number } {
  const { deadLetterRetentionMs, lateVerdictWindowMs } = config.reliability;
  const retentionMs =
    reason === 'late_verdict' ? Math.max(deadLetterRetentionMs, lateVerdictWindowMs) : deadLetterRetentionMs;
  return { taskQueue: config.temporal.taskQueue, retentionMs };
}

/** Neither Temporal nor the local inbox could keep the letter. */
export class DeadLetterNotKeptError extends Error {
  override name = 'DeadLetterNotKeptError';
}

export class DeadLetterRecorder {
  constructor(
    private readonly deps: {
      client: Client;
      config: AppConfig;
      logger: Logger;
      /** Where letters wait while Temporal is away (the local inbox). */
      fallback?: DeadLetterFallback;
      /** How long the write to Temporal may take before the inbox takes the letter. */
      timeoutMs?: number;
    },
  ) {}

  /**
   * Keeps the letter on Temporal, or in the inbox while Temporal is away; throws when neither could.
   * With the ingress's `startBudget`, a letter is a start like a verification: past the bound it
   * throws {@link StartLimitedError}, or for a provider that never retries waits in the inbox.
   * Returns the letter's ID (`kyc-dead:…`), the same whether it is stored now or drained later.
   */
  async record(
    refused: RefusedCallback,
    startBudget?: StartBudget,
  ): Promise<{ kept: 'stored' | 'queued'; id: string }> {
    const { client, config, logger } = this.deps;
    const { letter, fingerprint } = buildDeadLetter(refused, {
      keepBody: config.temporal.payloadKey !== undefined,
      maxBytes: config.reliability.deadLetterMaxBytes,
    });
    const id = deadLetterWorkflowId(letter.provider, fingerprint);
    // Each letter is a workflow: callbacks start them within the same bound as verifications.
    const grant = startBudget ? startBudget.mayStart(letter.provider, id) : 'known';
    if (!grant) {
      // A provider that never retries would lose it to a 503: it waits in the inbox for a start.
      if (config.reliability.inboxProviders.some((id) => id === letter.provider) && this.deps.fallback) {
        return this.queue(letter, fingerprint, undefined);
      }
      throw new StartLimitedError(startBudget!.retryAfterSeconds(letter.provider));
    }
    try {
      await client.connection.withDeadline(Date.now() + (this.deps.timeoutMs ?? 3000), () =>
        storeDeadLetter(client, deadLetterHome(config, letter.reason), letter, fingerprint),
      );
      startBudget?.noteExists(id);
      logger.warn('callback kept as a dead letter', { id, provider: letter.provider, reason: letter.reason });
      return { kept: 'stored', id };
    } catch (err) {
      if (grant === 'granted') startBudget?.giveBack(letter.provider);
      return this.queue(letter, fingerprint, err);
    }
  }

  private async queue(
    letter: DeadLetter,
    fingerprint: string,
    cause: unknown,
  ): Promise<{ kept: 'queued'; id: string }> {
    const { fallback, logger } = this.deps;
    if (!fallback) throw new DeadLetterNotKeptError('temporal unavailable and no local inbox', { cause });
    try {
      await fallback.append({ kind: 'dead-letter', letter, fingerprint });
    } catch (inboxErr) {
      throw new DeadLetterNotKeptError('temporal unavailable and the local inbox refused', { cause: inboxErr });
    }
    logger.warn('dead letter queued in the local inbox', { provider: letter.provider, reason: letter.reason });
    return { kept: 'queued', id: deadLetterWorkflowId(letter.provider, fingerprint) };
  }
}
