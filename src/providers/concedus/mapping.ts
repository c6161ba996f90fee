/**
 * Concedus's status mapping as docs/providers.md shows it (npm run docs writes it there), each line
 * probed against the mapping code (vocabulary.ts) by the checklist test, so the two cannot drift apart. Codes are read within
 * their kind: compliance record 100 and ident 100 are different facts.
 */
import type { CanonicalMeaning } from '../../verification/model';
import type { MappingLine } from '../module';
import { CONCEDUS_VOCABULARY, concedusMeaning, IDENT_REQUEST_CREATED, MISMATCHES, unknownTopic } from './vocabulary';

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
    probe: () => agreed(compliance('999'), ident('999'), identResult('failed')),
  },
  {
    words: ['a topic we do not know'],
    from: 'callback',
    meaning: { informational: true, attention: 'unknown_topic' },
    note: 'a topic is a kind of message, not a status',
    probe: () => unknownTopic('aTopicAddedLater'),
  },
];

/** The same meaning from every kind, or the first that differs (so the probe fails on it). */
function agreed(...meanings: CanonicalMeaning[]): CanonicalMeaning {
  const first = JSON.stringify({ ...meanings[0], unknownWord: undefined });
  return meanings.find((meaning) => JSON.stringify({ ...meaning, unknownWord: undefined }) !== first) ?? meanings[0]!;
}
