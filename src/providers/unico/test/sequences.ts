/** Unico's documented sequences for the reducer's order-independence property (test/support/sequences.ts). */
import { eventsOf, type Sequences } from '../../../../test/support/sequences';
import { DEFAULT_UNICO_EVENTS, unicoEventMeaning, unicoProcessMeaning, unicoWebhookStateMeaning } from '../vocabulary';

const at = eventsOf('unico');

export const sequences: Sequences = {
  approved: [
    at('EVENT_TYPE_PROCESS_CREATED', unicoEventMeaning(DEFAULT_UNICO_EVENTS, 'EVENT_TYPE_PROCESS_CREATED'), 0),
    at(
      'EVENT_TYPE_DOCUMENT_STEP_STARTED',
      unicoEventMeaning(DEFAULT_UNICO_EVENTS, 'EVENT_TYPE_DOCUMENT_STEP_STARTED'),
      1,
    ),
    at('PROCESS_STATE_FINISHED', unicoWebhookStateMeaning('PROCESS_STATE_FINISHED'), 2),
    at('PROCESS_STATE_FINISHED/PROCESS_RESULT_OK', unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_OK')),
  ],
  'invalid identity': [
    at('PROCESS_STATE_FINISHED', unicoWebhookStateMeaning('PROCESS_STATE_FINISHED'), 2),
    at(
      'PROCESS_STATE_FINISHED/PROCESS_RESULT_INVALID_IDENTITY',
      unicoProcessMeaning('PROCESS_STATE_FINISHED', 'PROCESS_RESULT_INVALID_IDENTITY'),
    ),
  ],
};
