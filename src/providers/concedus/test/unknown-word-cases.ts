/** Concedus's words no vocabulary maps (test/support/unknown-word-cases.ts). */
import { first, type UnknownWordCases } from '../../../../test/support/unknown-word-cases';
import { createConcedusCallbackParser } from '../callback';

export const cases: UnknownWordCases = {
  lookups: [
    [
      'Concedus compliance code',
      () => first(createConcedusCallbackParser().parse([{ status: 200, key: 'k', customerKey: 'C-1' }], '')),
      'unknown_code',
      '200',
    ],
  ],
  oddWords: [['a Concedus code with a line break', [{ status: 'ok\n', key: 'k', customerKey: 'C-1' }]]],
};
