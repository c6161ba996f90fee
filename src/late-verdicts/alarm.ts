/**
 * The late-verdict rule applied where late events are met (the ingress, and the inbox drainer for
 * events that waited while Temporal was away): classify them against the closed verification's
 * final state, and for a late verdict raise the alert and start the app's push.
 */
import type { Client } from '@temporalio/client';
import type { Counter } from 'prom-client';
import type { AppConfig } from '../app-config';
import { deadLetterWorkflowId, type LateVerdictNote } from '../contracts';
import { buildDeadLetter, type RefusedCallback } from '../dead-letters/letter';
import type { Logger } from '../logger';
import type { VerificationEvent, VerificationState } from '../verification/model';
import { closedVerificationState, startLateVerdictNotification } from './temporal';
import { classifyLateEvents } from './classify';

export interface LateLetter {
  /** The dead letter to keep: reason `late`, or `late_verdict` with its note. */
  refused: RefusedCallback;
  /** Present for a late verdict: what to raise once the letter is kept. */
  verdict?: { note: LateVerdictNote; finalState: VerificationState };
}

export class LateVerdictAlarm {
  constructor(
    private readonly deps: {
      client: Client;
      config: AppConfig;
      logger: Logger;
      /** `kyc_late_verdicts_total{provider}` (src/ingress/metrics.ts). */
      counter?: Counter<'provider'>;
      timeoutMs: number;
    },
  ) {}

  /**
   * The letter for late events of one verification. Throws when the final state cannot be read
   * now (Temporal unavailable): the caller retries rather than file a verdict as plain `late`.
   */
  async letterFor(
    provider: string,
    verificationId: string,
    events: VerificationEvent[],
    receivedAt: string,
  ): Promise<LateLetter> {
    const { client, config, timeoutMs } = this.deps;
    const finalState = await closedVerificationState(client, verificationId, timeoutMs);
    const late = classifyLateEvents(finalState, events, receivedAt, config.reliability.lateVerdictWindowMs);
    const refused: RefusedCallback = {
      provider,
      reason: late.reason,
      issues: [{ path: '', message: 'the verification had already closed' }],
      receivedAt,
      events,
      verificationId,
      ...(late.reason === 'late_verdict' ? { lateVerdict: late.note } : {}),
    };
    return late.reason === 'late_verdict' && finalState
      ? { refused, verdict: { note: late.note, finalState } }
      : { refused };
  }

  /** The alert (a counter, a warning without personal data) and the push to the app; throws if it could not start. */
  async raise(letter: LateLetter): Promise<void> {
    const { client, config, logger, counter, timeoutMs } = this.deps;
    if (!letter.verdict) return;
    const { refused } = letter;
    const { note, finalState } = letter.verdict;
    const deadLetterId = deadLetterWorkflowId(
      refused.provider,
      buildDeadLetter(refused, { keepBody: false, maxBytes: 0 }).fingerprint,
    );
    counter?.inc({ provider: refused.provider });
    logger.warn('late verdict for a verification our timer had closed', {
      workflowId: refused.verificationId,
      inferredEnd: note.inferredEnd,
      providerStatus: note.verdicts.map((verdict) => verdict.providerStatus).join(','),
      deadLetterId,
    });
    if (!config.notify.enabled) return;
    await startLateVerdictNotification(
      client,
      config.temporal.taskQueue,
      {
        provider: refused.provider,
        reference: finalState.reference,
        verificationId: refused.verificationId!,
        deadLetterId,
        status: finalState.status,
        note,
        receivedAt: refused.receivedAt,
      },
      timeoutMs,
    );
  }
}
