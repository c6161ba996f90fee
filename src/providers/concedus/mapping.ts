/**
 * Concedus's status mapping as docs/providers.md shows it, each line probed against the mapping
 * code (vocabulary.ts) by the checklist test, so the two cannot drift apart. Codes are read within
 * their kind: compliance record 100 and ident 100 are different facts.
 */
import type { MappingLine } from '../module';
import { CONCEDUS_VOCABULARY, concedusMeaning, IDENT_REQUEST_CREATED, MISMATCHES } from './vocabulary';

const compliance = (code: string) => concedusMeaning(CONCEDUS_VOCABULARY, 'complianceRecord', code);
const ident = (code: string) => concedusMeaning(CONCEDUS_VOCABULARY, 'ident', code);
const identResult = (word: string) => concedusMeaning(CONCEDUS_VOCABULARY, 'identResult', word);

export const CONCEDUS_MAPPING: readonly MappingLine[] = [
  {
    words: ['100'],
    from: 'compliance record, legacy or topic, callback or poll',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: "a callback with `CONCEDUS_CONFIRM_VERDICTS`: SUBMITTED, then the status API's verdict",
    probe: compliance,
  },
  { words: ['101', '110'], from: 'ident', meaning: { status: 'SUBMITTED' }, probe: ident },
  {
    words: ['100'],
    from: 'ident',
    meaning: { status: 'SUBMITTED' },
    note: 'a verified ident is progress: compliance decides',
    probe: ident,
  },
  { words: ['0'], from: 'ident', meaning: { status: 'FAILED' }, probe: ident },
  { words: ['102'], from: 'ident', meaning: { status: 'ABANDONED' }, probe: ident },
  {
    words: ['success'],
    from: 'identResult',
    meaning: { status: 'SUBMITTED' },
    note: "no verdict: the fallback polls read the person's status",
    probe: identResult,
  },
  { words: ['identRequestCreated'], from: 'topic', meaning: { status: 'PENDING' }, probe: () => IDENT_REQUEST_CREATED },
  {
    words: ['mismatches'],
    from: 'topic',
    meaning: { status: 'ACTION_REQUIRED' },
    note: 'field names only, never values',
    probe: () => MISMATCHES,
  },
  {
    words: ['any other code'],
    from: 'compliance record, ident or identResult',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_code' },
    note: 'fallback polls go on; more codes by `CONCEDUS_STATUS_MAP`',
    probe: () => compliance('999'),
  },
  { words: ['an unknown topic'], from: 'callback', meaning: {}, note: 'recorded, no change' },
];
