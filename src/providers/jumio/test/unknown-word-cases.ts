/** Jumio's words no vocabulary maps (test/support/unknown-word-cases.ts). */
import { first, type UnknownWordCases } from '../../../../test/support/unknown-word-cases';
import { createJumioCallbackParser } from '../callback';
import { jumioDecisionMeaning } from '../vocabulary';

export const cases: UnknownWordCases = {
  lookups: [
    [
      'Jumio callback status',
      () =>
        first(
          createJumioCallbackParser().parse(
            { workflowExecution: { id: 'ex-1', status: 'ACQUISITION_COMPLETED' }, account: { id: 'acc-1' } },
            '',
          ),
        ),
      'unknown_status',
      'ACQUISITION_COMPLETED',
    ],
    ['Jumio decision.type', () => jumioDecisionMeaning('NEW_TYPE', undefined), 'unknown_decision', 'NEW_TYPE'],
  ],
  oddWords: [['a Jumio status "ÄÖÜ"', { workflowExecution: { id: 'ex-1', status: 'ÄÖÜ' }, account: { id: 'acc-1' } }]],
};
