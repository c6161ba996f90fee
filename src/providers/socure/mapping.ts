/**
 * Socure's status mapping as docs/providers.md shows it, each line probed against the mapping code
 * (vocabulary.ts) by the checklist test, so the two cannot drift apart.
 */
import type { MappingLine } from '../module';
import { socureEventMeaning, socureResultMeaning } from './vocabulary';

/** A verdict event with one decision word: `VERIFICATION_COMPLETED/accept`. */
const verdict = (word: string) => {
  const [event, decision] = word.split('/');
  return socureEventMeaning(event!, decision);
};

export const SOCURE_MAPPING: readonly MappingLine[] = [
  {
    words: ['WAITING_FOR_USER_TO_REDIRECT'],
    from: 'callback',
    meaning: { status: 'PENDING' },
    probe: socureEventMeaning,
  },
  {
    words: [
      'APP_OPENED',
      'WAITING_FOR_UPLOAD',
      'DOCUMENT_FRONT_UPLOADED',
      'DOCUMENT_BACK_UPLOADED',
      'DOCUMENT_SELFIE_UPLOADED',
      'DOCUMENTS_UPLOAD_FAILED',
    ],
    from: 'callback',
    meaning: { status: 'IN_PROGRESS' },
    probe: socureEventMeaning,
  },
  {
    words: ['DOCUMENTS_UPLOADED'],
    from: 'callback',
    meaning: { status: 'SUBMITTED' },
    note: 'the wait for the result starts; polling rescues a lost result',
    probe: socureEventMeaning,
  },
  {
    words: ['VERIFICATION_COMPLETED/accept'],
    from: 'callback',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: "with `SOCURE_CONFIRM_VERDICTS`: SUBMITTED, then the API's verdict",
    probe: verdict,
  },
  {
    words: ['VERIFICATION_COMPLETED/reject'],
    from: 'callback',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    probe: verdict,
  },
  {
    words: ['VERIFICATION_COMPLETED/resubmit'],
    from: 'callback',
    meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    probe: verdict,
  },
  {
    words: ['VERIFICATION_COMPLETED/review'],
    from: 'callback',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: verdict,
  },
  {
    words: ['VERIFICATION_COMPLETED'],
    from: 'callback, without a decision',
    meaning: { status: 'SUBMITTED', retrieve: true },
    note: 'confirmed through the API',
    probe: socureEventMeaning,
  },
  {
    words: ['SESSION_EXPIRED', 'TOKEN_EXPIRED'],
    from: 'callback',
    meaning: { status: 'EXPIRED' },
    probe: socureEventMeaning,
  },
  { words: ['CONSENT_DECLINED'], from: 'callback', meaning: { status: 'ABANDONED' }, probe: socureEventMeaning },
  {
    words: ['SESSION_COMPLETE', 'case_notes_added'],
    from: 'callback',
    meaning: { informational: true },
    probe: socureEventMeaning,
  },
  {
    words: ['evaluation_completed/ACCEPT'],
    from: 'RiskOS callback',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    probe: verdict,
  },
  {
    words: ['evaluation_completed/REJECT'],
    from: 'RiskOS callback',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    probe: verdict,
  },
  {
    words: ['evaluation_completed/REVIEW'],
    from: 'RiskOS callback',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: verdict,
  },
  {
    words: ['evaluation_completed/RESUBMIT'],
    from: 'RiskOS callback',
    meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    note: 'without a decision, or with `SOCURE_CONFIRM_VERDICTS`: fetched from the API',
    probe: verdict,
  },
  {
    words: ['evaluation_paused'],
    from: 'RiskOS callback',
    meaning: { status: 'IN_PROGRESS' },
    note: 'ON_HOLD, its REVIEW a placeholder, not a verdict',
    probe: socureEventMeaning,
  },
  {
    words: ['evaluation_resumed'],
    from: 'RiskOS callback',
    meaning: { status: 'SUBMITTED' },
    probe: socureEventMeaning,
  },
  {
    words: ['a decision word not listed'],
    from: 'poll (ID+ or a verdict stage)',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    note: 'the API is the authority fallen back on: a human reviews; RiskOS `eval_status` and `decision_at` read as the webhook words',
    probe: () => socureResultMeaning(undefined, 'A_WORD_ADDED_LATER'),
  },
];
