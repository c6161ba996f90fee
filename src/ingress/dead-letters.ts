/**
 * Callbacks refused after authentication become dead letters: kept with their reason and failing
 * field paths, so nothing a provider sent is silently dropped. Stored on Temporal (one small
 * workflow each); while Temporal is unreachable, the letter waits in the local inbox.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import {
  type DeadLetter,
  type DeadLetterReason,
  deadLetterWorkflowId,
  type LateVerdictNote,
  type FieldIssue,
} from '../contracts';
import { storeDeadLetter } from '../dead-letters/store';
import type { Logger } from '../logger';
import { boundedIssues } from '../providers/common';
import type { ProviderId, VerificationEvent } from '../verification/model';
import type { DurableInbox } from './inbox';
import { StartLimitedError, type StartBudget } from './start-budget';

export interface RefusedCallback {
  provider: ProviderId;
  reason: DeadLetterReason;
  issues: FieldIssue[];
  receivedAt: string;
  rawBody?: Buffer;
  events?: VerificationEvent[];
  verificationId?: string;
  lateVerdict?: LateVerdictNote;
}

export interface LetterPolicy {
  /** Keep the raw body: only when payloads are encrypted (it may hold personal data). */
  keepBody: boolean;
  maxBytes: number;
}

/**
 * Builds the letter and its fingerprint. Personal data: field paths and messages (never values),
 * canonical events (IDs and status words); the raw body only when it will be encrypted, and only
 * up to `maxBytes`. Events are dropped too when they alone exceed the bound.
 */
export function buildDeadLetter(
  refused: RefusedCallback,
  policy: LetterPolicy,
): { letter: DeadLetter; fingerprint: string } {
  const bodySha256 = refused.rawBody ? createHash('sha256').update(refused.rawBody).digest('hex') : undefined;
  // A letter stays small whatever was sent: the issues an answer shows, and how many more there were.
  const { issues, moreIssues } = boundedIssues(refused.issues);
  const letter: DeadLetter = {
    provider: refused.provider,
    reason: refused.reason,
    issues,
    ...(moreIssues ? { moreIssues } : {}),
    receivedAt: refused.receivedAt,
    bodyBytes: refused.rawBody?.length ?? 0,
    ...(bodySha256 ? { bodySha256 } : {}),
    ...(refused.verificationId ? { verificationId: refused.verificationId } : {}),
    ...(refused.lateVerdict ? { lateVerdict: refused.lateVerdict } : {}),
  };
  if (refused.events?.length && Buffer.byteLength(JSON.stringify(refused.events)) <= policy.maxBytes) {
    letter.events = refused.events;
  }
  if (policy.keepBody && refused.rawBody && refused.rawBody.length <= policy.maxBytes) {
    letter.body = refused.rawBody.toString('utf8');
  }
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        refused.provider,
        refused.reason,
        refused.verificationId ?? '',
        bodySha256 ?? '',
        (refused.events ?? []).map((event) => `${event.reference}/${event.dedupKey}`),
      ]),
    )
    .digest('hex')
    .slice(0, 32);
  return { letter, fingerprint };
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
      inbox?: DurableInbox;
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
      if (config.reliability.inboxProviders.includes(letter.provider) && this.deps.inbox) {
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
    const { inbox, logger } = this.deps;
    if (!inbox) throw new DeadLetterNotKeptError('temporal unavailable and no local inbox', { cause });
    try {
      await inbox.append({ kind: 'dead-letter', letter, fingerprint });
    } catch (inboxErr) {
      throw new DeadLetterNotKeptError('temporal unavailable and the local inbox refused', { cause: inboxErr });
    }
    logger.warn('dead letter queued in the local inbox', { provider: letter.provider, reason: letter.reason });
    return { kept: 'queued', id: deadLetterWorkflowId(letter.provider, fingerprint) };
  }
}
