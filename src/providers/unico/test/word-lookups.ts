/**
 * Each of Unico's word lookups, for test/unit/prototype-words.test.ts: given any word (there, the names
 * of Object.prototype members), the meaning it looks up.
 */
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from '../flows';
import { DEFAULT_UNICO_EVENTS, unicoEventMeaning, unicoProcessMeaning, unicoWebhookStateMeaning } from '../vocabulary';

export const lookups: Record<string, (word: string) => unknown> = {
  'webhook state': unicoWebhookStateMeaning,
  lastEvent: (word) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word),
  flow: (word) =>
    unicoProcessMeaning(
      'PROCESS_STATE_FINISHED',
      'PROCESS_RESULT_OK',
      { livenessResult: 'LIVENESS_RESULT_LIVE' },
      unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow: word }),
    ),
};
