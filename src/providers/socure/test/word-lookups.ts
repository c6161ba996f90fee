/**
 * Each of Socure's word lookups, for test/unit/prototype-words.test.ts: given any word (there, the names
 * of Object.prototype members), the meaning it looks up.
 */
import { socureEventMeaning, socureResultMeaning, socureRiskosMeaning } from '../vocabulary';

export const lookups: Record<string, (word: string) => unknown> = {
  event: (word) => socureEventMeaning(word),
  'verdict decision': (word) => socureEventMeaning('VERIFICATION_COMPLETED', word),
  'riskos event': (word) => socureRiskosMeaning({ eventType: word }, 'callback')!.meaning,
  'riskos decision': (word) =>
    socureRiskosMeaning({ eventType: 'evaluation_completed', decision: word }, 'callback')!.meaning,
  'riskos api decision': (word) =>
    socureRiskosMeaning({ evalStatus: 'evaluation_completed', decision: word }, 'poll')!.meaning,
  'riskos stage': (word) => socureRiskosMeaning({ evalStatus: word, decision: 'ACCEPT' }, 'poll')!.meaning,
  'result stage': (word) => socureResultMeaning(word, 'accept'),
  'result decision': (word) => socureResultMeaning(undefined, word),
};
