/**
 * Each of Attestr's word lookups, for test/unit/prototype-words.test.ts: given any word (there, the names
 * of Object.prototype members), the meaning it looks up.
 */
import { asyncStatusMeaning, attestrEventMeaning, DEFAULT_ASYNC_STATUSES, parseAsyncStatuses } from '../vocabulary';

export const lookups: Record<string, (word: string) => unknown> = {
  event: attestrEventMeaning,
  'async status': (word) => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), word),
};
