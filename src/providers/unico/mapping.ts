/**
 * Unico's status mapping as docs/providers.md shows it, each line probed against the mapping code
 * (vocabulary.ts) by the checklist test, so the two cannot drift apart. The webhook only announces;
 * GetProcess (state first, then result, then the capabilities' sub-results) decides.
 */
import type { MappingLine } from '../module';
import {
  DEFAULT_UNICO_EVENTS,
  PROCESS_STATE,
  unicoEventMeaning,
  unicoProcessMeaning,
  unicoWebhookStateMeaning,
  type UnicoAuthenticationInfo,
} from './vocabulary';

/** GetProcess of a finished process with this result (and these sub-results). */
const finished = (info?: UnicoAuthenticationInfo) => (result: string) =>
  unicoProcessMeaning(PROCESS_STATE.FINISHED, result, info);
const live = { livenessResult: 'LIVENESS_RESULT_LIVE' };

export const UNICO_MAPPING: readonly MappingLine[] = [
  {
    words: ['PROCESS_STATE_FINISHED'],
    from: 'webhook, any result',
    meaning: { status: 'SUBMITTED', retrieve: true },
    note: 'confirmed with GetProcess',
    probe: unicoWebhookStateMeaning,
  },
  {
    words: ['EVENT_TYPE_PROCESS_CREATED'],
    from: 'webhook lastEvent',
    meaning: { status: 'PENDING' },
    note: 'every lastEvent by the `UNICO_EVENTS` configuration; these are the defaults',
    probe: (word) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word),
  },
  {
    words: ['EVENT_TYPE_QR_CODE_READ', 'EVENT_TYPE_DOCUMENT_STEP_FINISHED'],
    from: 'webhook lastEvent',
    meaning: { status: 'IN_PROGRESS' },
    note: 'and the other capture steps',
    probe: (word) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word),
  },
  {
    words: ['EVENT_TYPE_SESSION_ENDED'],
    from: 'webhook lastEvent',
    meaning: { status: 'IN_PROGRESS', retrieve: true },
    probe: (word) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished, liveness LIVE, authentication POSITIVE',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: 'REVIEW when the fraudster base says YES or SUSPICIOUS',
    probe: finished({ ...live, authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE' }),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished, liveness or authentication UNSPECIFIED',
    meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    note: "inconclusive with risk score 0 too (Unico's table: Retry)",
    probe: finished({ ...live, authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' }),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished, NOT_LIVE or NEGATIVE',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    note: "inconclusive with a fraudster hit or a score below 0 too (Unico's table: Reprove)",
    probe: finished({ ...live, authenticationResult: 'AUTHENTICATION_RESULT_NEGATIVE' }),
  },
  {
    words: ['PROCESS_RESULT_INVALID_IDENTITY'],
    from: 'GetProcess, finished',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    note: "RESUBMIT when live with authentication UNSPECIFIED (Unico's Retry row)",
    probe: finished(),
  },
  {
    words: ['PROCESS_RESULT_EXPIRED'],
    from: 'GetProcess, finished',
    meaning: { status: 'EXPIRED' },
    probe: finished(),
  },
  { words: ['PROCESS_RESULT_ERROR'], from: 'GetProcess, finished', meaning: { status: 'FAILED' }, probe: finished() },
  {
    words: ['PROCESS_STATE_FAILED'],
    from: 'GetProcess',
    meaning: { status: 'FAILED' },
    probe: (word) => unicoProcessMeaning(word, undefined),
  },
  {
    words: ['PROCESS_STATE_CREATED'],
    from: 'GetProcess',
    meaning: { status: 'PENDING' },
    note: 'a finished process whose result is still UNSPECIFIED is not ready yet',
    probe: (word) => unicoProcessMeaning(word, undefined),
  },
  {
    words: ['a result word not listed'],
    from: 'GetProcess, finished',
    meaning: { attention: 'unknown_result' },
    note: 'recorded, and a human is told',
    probe: () => finished()('PROCESS_RESULT_ADDED_LATER'),
  },
];
