/** Attestr's words no vocabulary maps (test/support/unknown-word-cases.ts). */
import { first, type UnknownWordCases } from '../../../../test/support/unknown-word-cases';
import { createAttestrCallbackParser } from '../callback';
import { asyncStatusMeaning, DEFAULT_ASYNC_STATUSES, parseAsyncStatuses } from '../vocabulary';

export const cases: UnknownWordCases = {
  lookups: [
    [
      'Attestr event',
      () => first(createAttestrCallbackParser().parse({ event: 'flowx.paused', payload: { _id: 'hs-1' } }, '')),
      'unknown_event',
      'flowx.paused',
    ],
    [
      'Attestr async status',
      () => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), 'QUEUED'),
      'unknown_status',
      'QUEUED',
    ],
  ],
  oddWords: [['an Attestr event of 150 characters', { event: 'e'.repeat(150), payload: { _id: 'hs-1' } }]],
};
