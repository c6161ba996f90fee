/** Unico's words no vocabulary maps (test/support/unknown-word-cases.ts). */
import { first, type UnknownWordCases } from '../../../../test/support/unknown-word-cases';
import { createUnicoCallbackParser } from '../callback';
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from '../flows';
import { DEFAULT_UNICO_EVENTS, unicoProcessMeaning } from '../vocabulary';

export const cases: UnknownWordCases = {
  lookups: [
    [
      'Unico GetProcess result',
      () => unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_NEW'),
      'unknown_result',
      'PROCESS_RESULT_NEW',
    ],
    [
      'Unico GetProcess state',
      () => unicoProcessMeaning('PROCESS_STATE_PAUSED', 'PROCESS_RESULT_OK'),
      'unknown_status',
      'PROCESS_STATE_PAUSED',
    ],
    [
      'Unico liveness sub-result',
      () =>
        unicoProcessMeaning(
          'PROCESS_STATE_FINISHED',
          'PROCESS_RESULT_OK',
          { livenessResult: 'LIVENESS_RESULT_NEW' },
          unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'idlive' }),
        ),
      'unknown_sub_result',
      'LIVENESS_RESULT_NEW',
    ],
    [
      'Unico flow (an UNSPECIFIED that may mean "not used")',
      () =>
        unicoProcessMeaning(
          'PROCESS_STATE_FINISHED',
          'PROCESS_RESULT_OK',
          { livenessResult: 'LIVENESS_RESULT_LIVE' },
          unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: 'creditoconsignado' }),
        ),
      'unknown_flow',
      'creditoconsignado',
    ],
    [
      'Unico webhook state',
      () => first(createUnicoCallbackParser(DEFAULT_UNICO_EVENTS).parse({ processId: 'p-1', state: 'PAUSED' }, '')),
      'unknown_status',
      'PAUSED',
    ],
  ],
  oddWords: [['a Unico state of 61 characters', { processId: 'p-1', state: `PROCESS_STATE_${'X'.repeat(47)}` }]],
};
