/**
 * Each of Jumio's word lookups, for test/unit/prototype-words.test.ts: given any word (there, the names
 * of Object.prototype members), the meaning it looks up.
 */
import { jumioDecisionMeaning, jumioStatusMeaning } from '../vocabulary';

export const lookups: Record<string, (word: string) => unknown> = {
  status: jumioStatusMeaning,
  'decision type': (word) => jumioDecisionMeaning(word, undefined),
};
