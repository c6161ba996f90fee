/**
 * A Concedus topic is a kind of message, not a status: one it does not document is recorded with
 * attention and moves nothing, instead of the unknown-word rule every status follows
 * (test/unit/unknown-words.test.ts).
 */
import { first } from '../../../../test/support/unknown-word-cases';
import { createConcedusCallbackParser } from '../callback';

it('Concedus topic (a kind of message, not a status): attention unknown_topic', () => {
  expect(first(createConcedusCallbackParser().parse([{ topic: 'contractDeclined', contractKey: 'CO-1' }], ''))).toEqual(
    { informational: true, attention: 'unknown_topic', unknownWord: 'contractDeclined' },
  );
});
