/** Socure's words no vocabulary maps (test/support/unknown-word-cases.ts). */
import { first, type UnknownWordCases } from '../../../../test/support/unknown-word-cases';
import { createSocureCallbackParser } from '../callback';
import { socureRiskosMeaning } from '../vocabulary';

export const cases: UnknownWordCases = {
  lookups: [
    [
      'Socure RiskOS API decision',
      () =>
        socureRiskosMeaning({ evalStatus: 'evaluation_completed', status: 'CLOSED', decision: 'CANCEL' }, 'poll')
          ?.meaning,
      'unknown_decision',
      'CANCEL',
    ],
    [
      'Socure RiskOS eval_status',
      () => socureRiskosMeaning({ evalStatus: 'archived' }, 'poll')?.meaning,
      'unknown_status',
      'archived',
    ],
    [
      'Socure RiskOS event about an evaluation',
      () =>
        first(
          createSocureCallbackParser().parse(
            { event_id: 'e-1', event_type: 'evaluation_escalated', data: { eval_id: 'ev-1' } },
            '',
          ),
        ),
      'unknown_event',
      'evaluation_escalated',
    ],
  ],
  oddWords: [
    [
      'a Socure RiskOS decision of 300 characters',
      { event_id: 'e-2', event_type: 'evaluation_completed', data: { eval_id: 'ev-2', decision: 'D'.repeat(300) } },
    ],
  ],
};
