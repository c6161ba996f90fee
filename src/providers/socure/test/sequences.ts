/** Socure's documented sequences for the reducer's order-independence property (test/support/sequences.ts). */
import { eventsOf, type Sequences } from '../../../../test/support/sequences';
import { socureEventMeaning } from '../vocabulary';

const at = eventsOf('socure');

export const sequences: Sequences = {
  accepted: [
    at('WAITING_FOR_USER_TO_REDIRECT', socureEventMeaning('WAITING_FOR_USER_TO_REDIRECT'), 0),
    at('APP_OPENED', socureEventMeaning('APP_OPENED'), 1),
    at('DOCUMENT_FRONT_UPLOADED', socureEventMeaning('DOCUMENT_FRONT_UPLOADED'), 2),
    at('DOCUMENT_BACK_UPLOADED', socureEventMeaning('DOCUMENT_BACK_UPLOADED'), 3),
    at('DOCUMENTS_UPLOADED', socureEventMeaning('DOCUMENTS_UPLOADED'), 4),
    at('VERIFICATION_COMPLETED/accept', socureEventMeaning('VERIFICATION_COMPLETED', 'accept'), 5),
    at('SESSION_COMPLETE', socureEventMeaning('SESSION_COMPLETE'), 6),
  ],
  'consent declined': [
    at('APP_OPENED', socureEventMeaning('APP_OPENED'), 1),
    at('CONSENT_DECLINED', socureEventMeaning('CONSENT_DECLINED'), 2),
  ],
};
