/**
 * Socure's status mapping as docs/providers.md shows it (npm run docs writes it there), each line
 * probed against the mapping code (vocabulary.ts) by the checklist test, so the two cannot drift
 * apart. DocV words are upper case, RiskOS words lower case.
 */
import type { CanonicalMeaning } from '../../verification/model';
import type { MappingLine } from '../module';
import { socureEventMeaning, socureResultMeaning, socureRiskosMeaning, type RiskosEvaluation } from './vocabulary';

/** A DocV verdict event with one decision word: `VERIFICATION_COMPLETED/accept`. */
const verdict = (word: string) => {
  const [event, decision] = word.split('/');
  return socureEventMeaning(event!, decision);
};

/** A RiskOS webhook, read as a callback. */
const riskos = (evaluation: RiskosEvaluation) => socureRiskosMeaning(evaluation, 'callback')?.meaning;

/** The same meaning from every one of these readings, or the first that differs (so a probe fails on it). */
function agreed(...meanings: (CanonicalMeaning | undefined)[]): CanonicalMeaning | undefined {
  const first = JSON.stringify(meanings[0]);
  return meanings.find((meaning) => JSON.stringify(meaning) !== first) ?? meanings[0];
}

/** A reviewer's or the evaluation's decision, in each webhook that carries one. */
const riskosDecision = (decision: string) =>
  agreed(
    riskos({ eventType: 'evaluation_completed', decision }),
    riskos({ eventType: 'decision_update', decision }),
    riskos({ eventType: 'case_decision_changed', decision }),
  );

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
    note: "with `SOCURE_CONFIRM_VERDICTS`, every verdict below is SUBMITTED, then the API's verdict",
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
  { words: ['SESSION_COMPLETE'], from: 'callback', meaning: { informational: true }, probe: socureEventMeaning },
  {
    words: ['any other DocV event type'],
    from: 'callback',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_event' },
    probe: () => socureEventMeaning('AN_EVENT_ADDED_LATER'),
  },
  {
    words: ['a stage we do not know'],
    from: 'poll, DocV API',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status' },
    probe: () => socureResultMeaning('A_STAGE_ADDED_LATER', undefined),
  },
  {
    words: ['a decision we do not know'],
    from: 'poll, DocV or ID+ API',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision' },
    probe: () => socureResultMeaning(undefined, 'A_DECISION_ADDED_LATER'),
  },
  {
    words: ['ACCEPT'],
    from: 'RiskOS `evaluation_completed`, `decision_update`, `case_decision_changed`',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: 'no decision, one we do not know, or `SOCURE_CONFIRM_VERDICTS`: fetched from the API',
    probe: riskosDecision,
  },
  {
    words: ['REJECT'],
    from: 'RiskOS `evaluation_completed`, `decision_update`, `case_decision_changed`',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    probe: riskosDecision,
  },
  {
    words: ['REVIEW'],
    from: 'RiskOS `evaluation_completed`, `decision_update`, `case_decision_changed`',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: riskosDecision,
  },
  {
    words: ['RESUBMIT'],
    from: 'RiskOS `evaluation_completed`, `decision_update`, `case_decision_changed`',
    meaning: { status: 'COMPLETED', decision: 'RESUBMIT' },
    probe: riskosDecision,
  },
  {
    words: ['ON_HOLD', 'evaluation_paused'],
    from: 'RiskOS case status, or stage (any event type)',
    meaning: { status: 'IN_PROGRESS' },
    note: 'the decision is never read: its REVIEW is a placeholder, not a verdict',
    probe: (word) =>
      word === 'ON_HOLD'
        ? riskos({ eventType: 'evaluation_completed', status: word, decision: 'REVIEW' })
        : riskos({ eventType: 'evaluation_completed', evalStatus: word, decision: 'REVIEW' }),
  },
  {
    words: ['evaluation_resumed'],
    from: 'RiskOS callback',
    meaning: { status: 'SUBMITTED' },
    probe: (word) => riskos({ eventType: word }),
  },
  {
    words: ['evaluation_in_progress'],
    from: 'RiskOS stage',
    meaning: { status: 'SUBMITTED' },
    probe: (word) => riskos({ eventType: 'evaluation_completed', evalStatus: word }),
  },
  {
    words: ['workflow_execution_failed'],
    from: 'RiskOS callback',
    meaning: { status: 'FAILED' },
    probe: (word) => riskos({ eventType: word }),
  },
  {
    words: ['failed'],
    from: 'RiskOS stage',
    meaning: { status: 'FAILED' },
    probe: (word) => riskos({ eventType: 'evaluation_completed', evalStatus: word }),
  },
  {
    words: ['terminated'],
    from: 'RiskOS stage',
    meaning: { status: 'CANCELLED' },
    note: "only the integrator's own `PATCH …/end` terminates an evaluation",
    probe: (word) => riskos({ eventType: 'evaluation_completed', evalStatus: word }),
  },
  {
    words: [
      'case_notes_added',
      'case_status_updated',
      'case_status_changed',
      'case_assigned',
      'review_case_assigned',
      'review_case_unassigned',
      'case_attachment_added',
      'reevaluation',
    ],
    from: 'RiskOS callback',
    meaning: { informational: true },
    probe: (word) => riskos({ eventType: word }),
  },
  {
    words: ['fraud_confirming'],
    from: 'RiskOS callback',
    meaning: { informational: true, attention: 'provider_fraud_flag' },
    probe: (word) => riskos({ eventType: word }),
  },
  {
    words: ['any other event type'],
    from: 'RiskOS callback with an `eval_id`',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_event' },
    note: 'without an `eval_id`: answered 200, nothing routed (RiskOS sends watchlist and case events there too)',
    probe: () => riskos({ eventType: 'an_event_added_later' }),
  },
  {
    words: ['evaluation_completed', 'CLOSED', 'OPEN'],
    from: 'poll, RiskOS Evaluation API `eval_status`, else the case status',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    note: "with decision `ACCEPT`, and so on as the webhook words; `decision_at` is the verdict's time",
    probe: (word) =>
      word === 'evaluation_completed'
        ? socureRiskosMeaning({ evalStatus: word, decision: 'ACCEPT' }, 'poll')?.meaning
        : socureRiskosMeaning({ status: word, decision: 'ACCEPT' }, 'poll')?.meaning,
  },
  {
    words: ['a decision we do not know'],
    from: 'poll, RiskOS Evaluation API',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision' },
    probe: () => socureRiskosMeaning({ evalStatus: 'evaluation_completed', decision: 'CANCEL' }, 'poll')?.meaning,
  },
];
