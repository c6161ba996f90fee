/**
 * A Socure decision word that names an Object.prototype member (`constructor`, `toString`, …) is no
 * verdict (test/unit/prototype-words.test.ts holds every provider's lookups to plain meanings).
 */
import { PROTOTYPE_WORDS } from '../../../../test/support/hostile-bodies';
import { isVerdictEvent, socureDecision, socureEventMeaning } from '../vocabulary';

it('a Socure verdict whose decision is such a word is no verdict: it is confirmed through the API', () => {
  for (const word of PROTOTYPE_WORDS) {
    expect(socureDecision(word)).toBeUndefined();
    expect(socureEventMeaning('VERIFICATION_COMPLETED', word)).toEqual({ status: 'SUBMITTED', retrieve: true });
    expect(isVerdictEvent(word)).toBe(false);
  }
});
