/**
 * Each of Concedus's word lookups, for test/unit/prototype-words.test.ts: given any word (there, the names
 * of Object.prototype members), the meaning it looks up.
 */
import { CONCEDUS_VOCABULARY, concedusMeaning } from '../vocabulary';

export const lookups: Record<string, (word: string) => unknown> = {
  'compliance code': (word) => concedusMeaning(CONCEDUS_VOCABULARY, 'complianceRecord', word),
  'ident code': (word) => concedusMeaning(CONCEDUS_VOCABULARY, 'ident', word),
};
