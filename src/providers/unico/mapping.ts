/**
 * Unico's status mapping as docs/providers.md shows it (npm run docs writes it there), each line
 * probed against the mapping code (vocabulary.ts) by the checklist test, so the two cannot drift
 * apart. The webhook only announces; GetProcess (state first, then result, then the sub-results of
 * the capabilities the flow used) decides.
 */
import type { MappingLine } from '../module';
import { DEFAULT_UNICO_FLOWS, unicoFlowOf } from './flows';
import {
  DEFAULT_UNICO_EVENTS,
  PROCESS_STATE,
  unicoEventMeaning,
  unicoProcessMeaning,
  unicoWebhookStateMeaning,
  type UnicoAuthenticationInfo,
} from './vocabulary';

/** GetProcess of a finished process with this result, these sub-results and, when named, this flow. */
const finished = (info?: UnicoAuthenticationInfo, flow?: string) => (result: string) =>
  unicoProcessMeaning(
    PROCESS_STATE.FINISHED,
    result,
    info,
    flow === undefined ? undefined : unicoFlowOf(DEFAULT_UNICO_FLOWS, { flow }),
  );
const event = (word: string) => unicoEventMeaning(DEFAULT_UNICO_EVENTS, word);
const LIVE = 'LIVENESS_RESULT_LIVE';
const positive = { livenessResult: LIVE, authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE' };
const inconclusive = { livenessResult: LIVE, authenticationResult: 'AUTHENTICATION_RESULT_INCONCLUSIVE' };
const score = (value: number) => ({ scoreEngineResult: { scoreEnabled: 'SCORE_ENABLED_TRUE', score: value } });

export const UNICO_MAPPING: readonly MappingLine[] = [
  {
    words: ['PROCESS_STATE_FINISHED'],
    from: 'webhook `state`, any `result`',
    meaning: { status: 'SUBMITTED', retrieve: true },
    note: "confirmed with GetProcess; the webhook's `flow` is kept in `context.flow`",
    probe: unicoWebhookStateMeaning,
  },
  {
    words: ['a state not listed'],
    from: 'webhook `state`',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status' },
    probe: () => unicoWebhookStateMeaning('PROCESS_STATE_ADDED_LATER'),
  },
  {
    words: ['EVENT_TYPE_PROCESS_CREATED'],
    from: 'webhook `lastEvent`',
    meaning: { status: 'PENDING' },
    note: 'every `lastEvent` by the `UNICO_EVENTS` configuration; these are the defaults',
    probe: event,
  },
  {
    words: [
      'EVENT_TYPE_QR_CODE_READ',
      'EVENT_TYPE_PROCESS_STARTED_BY_USER',
      'EVENT_TYPE_IDENTITY_VALIDATION_STEP_FINISHED',
      'EVENT_TYPE_DOCUMENT_STEP_STARTED',
      'EVENT_TYPE_DOCUMENT_PHOTO_CAPTURED',
      'EVENT_TYPE_DOCUMENT_UPLOADED_FROM_GALLERY',
      'EVENT_TYPE_DOCUMENT_STEP_FINISHED',
      'EVENT_TYPE_ERROR_ON_DOCUMENT_STEP',
    ],
    from: 'webhook `lastEvent`, capture steps',
    meaning: { status: 'IN_PROGRESS' },
    probe: event,
  },
  {
    words: ['EVENT_TYPE_SESSION_ENDED'],
    from: 'webhook `lastEvent`',
    meaning: { status: 'IN_PROGRESS', retrieve: true },
    note: 'confirmed with GetProcess',
    probe: event,
  },
  {
    words: ['an event not listed'],
    from: 'webhook `lastEvent`',
    meaning: { informational: true, attention: 'unknown_event' },
    note: "recorded, moves nothing: the webhook's `state` still announces the result",
    probe: () => event('EVENT_TYPE_ADDED_LATER'),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; `idlive`: liveness `LIVE`',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: 'sub-results are read only for the capabilities the flow uses (`UNICO_FLOWS`); nothing used against it',
    probe: finished({ livenessResult: LIVE }, 'idlive'),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; `id`: liveness `LIVE`, authentication `POSITIVE`',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    probe: finished(positive, 'id'),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; no `authenticationInfo` at all',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    probe: finished(),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; a fraudster hit (`YES`, `SUSPICIOUS`, in either spelling), a positive face',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    note: "any flow: `IDENTITY_FRAUDSTERS_RESULT_*` or `TRUST_RESULT_*`; Unico's table has no row for it",
    probe: (word) => {
      const a = finished({ ...positive, identityFraudstersResult: 'TRUST_RESULT_YES' }, 'idlive')(word);
      const b = finished({ ...positive, identityFraudstersResult: 'IDENTITY_FRAUDSTERS_RESULT_SUSPICIOUS' })(word);
      return JSON.stringify(a) === JSON.stringify(b) ? a : b;
    },
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; used liveness or authentication `UNSPECIFIED`',
    meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    note: "Unico's table: Retry; also authentication `INCONCLUSIVE` with risk score 0",
    probe: (word) => {
      const a = finished({ ...positive, authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' }, 'id')(word);
      const b = finished({ ...inconclusive, ...score(0) }, 'idcheck')(word);
      return JSON.stringify(a) === JSON.stringify(b) ? a : b;
    },
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; `NOT_LIVE` or `NEGATIVE`',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    note: "Unico's table: Reprove; also `INCONCLUSIVE` with a fraudster hit or a risk score below 0",
    probe: (word) => {
      const a = finished({ ...positive, authenticationResult: 'AUTHENTICATION_RESULT_NEGATIVE' }, 'id')(word);
      const b = finished({ ...inconclusive, ...score(-50) }, 'idcheck')(word);
      return JSON.stringify(a) === JSON.stringify(b) ? a : b;
    },
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; authentication `INCONCLUSIVE` otherwise',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: finished(inconclusive, 'id'),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: "GetProcess, finished; a used capability's word not listed",
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_sub_result' },
    probe: finished({ livenessResult: 'LIVENESS_RESULT_ADDED_LATER' }, 'idlive'),
  },
  {
    words: ['PROCESS_RESULT_OK'],
    from: 'GetProcess, finished; a flow not listed whose answer has an `UNSPECIFIED`',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_flow' },
    probe: finished({ livenessResult: LIVE, authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED' }, 'idsmart'),
  },
  {
    words: ['PROCESS_RESULT_INVALID_IDENTITY'],
    from: 'GetProcess, finished',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    note: "RESUBMIT when live with authentication `UNSPECIFIED` in a flow that uses it (Unico's Retry row)",
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
    words: ['a result word not listed'],
    from: 'GetProcess, finished',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_result' },
    probe: () => finished()('PROCESS_RESULT_ADDED_LATER'),
  },
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
    note: 'a finished process whose result is still `PROCESS_RESULT_UNSPECIFIED` is not ready yet',
    probe: (word) => unicoProcessMeaning(word, undefined),
  },
  {
    words: ['a state not listed'],
    from: 'GetProcess',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status' },
    probe: () => unicoProcessMeaning('PROCESS_STATE_ADDED_LATER', undefined),
  },
];
