/**
 * Unico documents its lastEvent as a set it calls configuration: an event it does not list is
 * recorded with attention and moves nothing, instead of the unknown-word rule every status follows
 * (test/unit/unknown-words.test.ts).
 */
import { first } from '../../../../test/support/unknown-word-cases';
import { createUnicoCallbackParser } from '../callback';
import { DEFAULT_UNICO_EVENTS } from '../vocabulary';

it('Unico lastEvent (a set Unico calls configuration): attention unknown_event', () => {
  const parser = createUnicoCallbackParser(DEFAULT_UNICO_EVENTS);
  expect(first(parser.parse({ processId: 'p-1', lastEvent: 'EVENT_TYPE_NEW' }, ''))).toEqual({
    informational: true,
    attention: 'unknown_event',
    unknownWord: 'EVENT_TYPE_NEW',
  });
});
