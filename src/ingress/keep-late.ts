/**
 * Step 6, keep what came late: events for verifications that had already closed become one late
 * letter per verification. When our own timer had closed it and a provider's verdict is among them
 * (src/late-verdicts/classify.ts), the letter is a `late_verdict`: counted and logged as an alert,
 * and pushed to the app when it takes pushes.
 */
import type { ProviderConfig } from '../app-config';
import { kycWorkflowId } from '../contracts';
import type { LateLetter, LateVerdictAlarm } from '../late-verdicts/alarm';
import type { Logger } from '../logger';
import type { VerificationEvent } from '../verification/model';
import { errorKind, type HandOver, type HandOverOutcome } from './hand-over';
import type { KeepLetter } from './refuse';
import { temporalUnavailable } from './unavailable';

export function lateKeeper(deps: {
  lateVerdicts: LateVerdictAlarm;
  keepLetter: KeepLetter;
  handOver: HandOver;
  logger: Logger;
}) {
  const { lateVerdicts, keepLetter, logger } = deps;

  /** The late-verdict rule needs the final state; unreadable for now is a 503 (the provider retries). */
  async function lateLetter(
    provider: ProviderConfig,
    verificationId: string,
    events: VerificationEvent[],
    receivedAt: string,
  ): Promise<LateLetter> {
    try {
      return await lateVerdicts.letterFor(provider.id, verificationId, events, receivedAt);
    } catch (err) {
      logger.error('final state of a closed verification unreadable', {
        workflowId: verificationId,
        error: errorKind(err),
      });
      // A provider that never retries keeps at least the plain late letter; the others send it again.
      if (deps.handOver.keepsAnInbox(provider)) {
        const issues = [{ path: '', message: 'the verification had already closed' }];
        return { refused: { provider: provider.id, reason: 'late', issues, receivedAt, events, verificationId } };
      }
      throw temporalUnavailable();
    }
  }

  return async function keepLate(
    provider: ProviderConfig,
    receivedAt: string,
    events: VerificationEvent[],
    outcomes: HandOverOutcome[],
  ): Promise<void> {
    const lateByVerification = new Map<string, VerificationEvent[]>();
    events.forEach((event, index) => {
      if (outcomes[index] !== 'late') return;
      const id = kycWorkflowId(provider.id, event.reference);
      lateByVerification.set(id, [...(lateByVerification.get(id) ?? []), event]);
    });
    for (const [verificationId, lateEvents] of lateByVerification) {
      const letter = await lateLetter(provider, verificationId, lateEvents, receivedAt);
      await keepLetter(letter.refused);
      try {
        await lateVerdicts.raise(letter);
      } catch (err) {
        logger.error('late verdict notification not started', { workflowId: verificationId, error: errorKind(err) });
        // The letter is kept and idempotent: a retried callback finds the same letter and starts the push.
        throw temporalUnavailable();
      }
    }
  };
}
