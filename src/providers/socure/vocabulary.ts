import type { CanonicalMeaning, Decision } from '../../verification/model';
import { ownEntry, unknownWord } from '../common';

/**
 * A row whose meaning depends on the verdict the event carries: with a decision we know the
 * outcome; without one the result exists at Socure but must be fetched from its API.
 */
export const VERDICT = 'verdict';

/**
 * Socure DocV's vocabulary in canonical terms: the one place it is mapped (docs/providers.md's status
 * mapping says the same). The seed's AsyncAPI shape and the legacy DocV envelope share these event
 * types (upper case); RiskOS (lower case) is mapped below, by {@link socureRiskosMeaning}.
 */
export const SOCURE_EVENTS: Record<string, CanonicalMeaning | typeof VERDICT> = {
  // DocV ("Process Initiated"): the capture link exists, the user has not opened it yet.
  WAITING_FOR_USER_TO_REDIRECT: { status: 'PENDING' },
  APP_OPENED: { status: 'IN_PROGRESS' },
  WAITING_FOR_UPLOAD: { status: 'IN_PROGRESS' },
  DOCUMENT_FRONT_UPLOADED: { status: 'IN_PROGRESS' },
  DOCUMENT_BACK_UPLOADED: { status: 'IN_PROGRESS' },
  DOCUMENT_SELFIE_UPLOADED: { status: 'IN_PROGRESS' },
  // The user may try again in the same session: still under way, not a failure.
  DOCUMENTS_UPLOAD_FAILED: { status: 'IN_PROGRESS' },
  // No `retrieve` here: an announced result defers expiry until it is fetched, yet the user may
  // still abandon. The callback restarts the grace timer; polling rescues a lost VERIFICATION_COMPLETED.
  DOCUMENTS_UPLOADED: { status: 'SUBMITTED' },
  VERIFICATION_COMPLETED: VERDICT,
  SESSION_EXPIRED: { status: 'EXPIRED' },
  // Seen only as a DocV SDK status so far; if it is ever delivered, it means the same as SESSION_EXPIRED.
  TOKEN_EXPIRED: { status: 'EXPIRED' },
  CONSENT_DECLINED: { status: 'ABANDONED' },
  // Follows VERIFICATION_COMPLETED and says nothing new (login.gov ignores it too): recorded only.
  SESSION_COMPLETE: { informational: true },
};

/** DocV decisions (lower case) and RiskOS decisions (upper case), compared case-insensitively. */
export const SOCURE_DECISIONS: Record<string, Decision> = {
  accept: 'APPROVED',
  reject: 'REJECTED',
  resubmit: 'RESUBMIT',
  review: 'REVIEW',
};

/** Whether a DocV event type's decision is a verdict. */
export function isVerdictEvent(eventType: string): boolean {
  return ownEntry(SOCURE_EVENTS, eventType) === VERDICT;
}

export function socureDecision(value: string | undefined | null): Decision | undefined {
  return value ? ownEntry(SOCURE_DECISIONS, value.toLowerCase()) : undefined;
}

/**
 * What a DocV callback means. A verdict event whose decision we recognise completes the
 * verification; without a recognisable decision the result is confirmed through the API (whose
 * answer decides, an unknown word included). An event type not listed is an unknown word.
 */
export function socureEventMeaning(eventType: string, decision?: string | null): CanonicalMeaning {
  const row = ownEntry(SOCURE_EVENTS, eventType);
  if (row === undefined) return unknownWord('event', eventType);
  if (row !== VERDICT) return { ...row };
  const verdict = socureDecision(decision);
  return verdict ? { status: 'COMPLETED', decision: verdict } : { status: 'SUBMITTED', retrieve: true };
}

/**
 * What an answer of a DocV retrieval API means. `stage` is the answer's DocV word; undefined when
 * the API reports a verdict only (ID+). A decision counts only at the verdict stage. The API is the
 * authority we fall back on: a stage or decision it names that we do not know (decisions can be
 * configured) is an unknown word, never a guess and never "not ready". Without a decision the
 * answer is progress only, never itself an announcement (a poll must not start polling).
 */
export function socureResultMeaning(stage: string | undefined, decision: string | undefined | null): CanonicalMeaning {
  const row = stage === undefined ? VERDICT : ownEntry(SOCURE_EVENTS, stage);
  if (row === undefined) return unknownWord('status', stage!);
  if (row !== VERDICT) return { ...row };
  if (!decision) return { status: 'SUBMITTED' };
  const verdict = socureDecision(decision);
  return verdict ? { status: 'COMPLETED', decision: verdict } : unknownWord('decision', decision);
}

/** The providerStatus recorded for an event: the event type, and the decision when it carries one. */
export function socureProviderStatus(eventType: string, decision?: string | null): string {
  return decision ? `${eventType}/${decision}` : eventType;
}

/*
 * RiskOS (help.socure.com, "Statuses and lifecycle", "Webhook events", "Decisions"). An evaluation
 * says where it stands twice: its stage (`eval_status`; the webhook's `evaluation_status`) and its
 * case status (`status`: OPEN, ON_HOLD, CLOSED). "Evaluation webhook payloads share the same
 * structure as Evaluation API responses", so webhooks and polls are read by one function.
 */

/** What a RiskOS stage means; VERDICT: the stage at which the evaluation's decision is read. */
const RISKOS_STAGES: Record<string, CanonicalMeaning | typeof VERDICT> = {
  // "Actively executing steps": nothing is asked of the user, the verdict is pending.
  evaluation_in_progress: { status: 'SUBMITTED' },
  // Paused for more information (DocV step-up, an OTP): its REVIEW is a placeholder, never a
  // verdict ("Treat REVIEW as a non-terminal state"); IN_PROGRESS claims no more than we know.
  evaluation_paused: { status: 'IN_PROGRESS' },
  // Resumes once the step returned: the user's part is done, the verdict is pending.
  evaluation_resumed: { status: 'SUBMITTED' },
  // "Terminal state": the decision is the verdict (asynchronous completion or a case closed by hand).
  evaluation_completed: VERDICT,
  // A reviewer's decision (webhook `decision_update`, or `case_decision_changed`).
  decision_update: VERDICT,
  // "Unrecoverable error" (the API's `failed`, the webhook `workflow_execution_failed`).
  failed: { status: 'FAILED' },
  // Ended by the integrator's own "PATCH end": nobody decided, and it was our side that stopped it.
  terminated: { status: 'CANCELLED' },
};

/** Webhook event types that name a stage of their evaluation. */
const RISKOS_STAGE_EVENTS: Record<string, string> = {
  evaluation_completed: 'evaluation_completed',
  evaluation_paused: 'evaluation_paused',
  evaluation_resumed: 'evaluation_resumed',
  decision_update: 'decision_update',
  // The webhook configuration reference's name for a reviewer's changed decision.
  case_decision_changed: 'decision_update',
  workflow_execution_failed: 'failed',
};

/** Known webhook events that move nothing (case management, a rerun): recorded. */
const RISKOS_INFORMATIONAL_EVENTS: Record<string, CanonicalMeaning> = {
  case_notes_added: { informational: true },
  case_status_updated: { informational: true },
  case_status_changed: { informational: true },
  case_assigned: { informational: true },
  review_case_assigned: { informational: true },
  review_case_unassigned: { informational: true },
  case_attachment_added: { informational: true },
  reevaluation: { informational: true },
  // Socure's own fraud confirmation: its payload is not published, so a human reads it.
  fraud_confirming: { informational: true, attention: 'provider_fraud_flag' },
};

/** What one RiskOS webhook or Evaluation API answer says. */
export interface RiskosEvaluation {
  /** The webhook's `event_type`; absent for an Evaluation API answer. */
  eventType?: string;
  /** `eval_status` (or the webhook's `evaluation_status`). */
  evalStatus?: string;
  /** The case status: OPEN, ON_HOLD, CLOSED. */
  status?: string;
  decision?: string;
}

export interface RiskosReading {
  /** The word the answer was read by (for the providerStatus): the event type, else the stage. */
  word: string;
  /** The decision, when it was read as the verdict. */
  decision?: string;
  meaning: CanonicalMeaning;
  /**
   * Whether a COMPLETED meaning is RiskOS's last word ({@link isFinalRiskosDecision}). A
   * COMPLETED that is not final (REVIEW or RESUBMIT with the case still open) carries
   * `provisional`: the verification stays open for the reviewer's later decision.
   */
  final: boolean;
}

/**
 * Whether RiskOS is done deciding: a CLOSED case is; without a case status, only ACCEPT and REJECT
 * are ("Manual review decisions … A human reviewer examines the case and makes a final decision —
 * typically Accept or Reject"). REVIEW, RESUBMIT or any decision on an OPEN or ON_HOLD case may be
 * revisited (`decision_update`).
 */
export function isFinalRiskosDecision(decision: string, caseStatus: string | undefined): boolean {
  if (caseStatus !== undefined) return caseStatus.toUpperCase() === 'CLOSED';
  const verdict = socureDecision(decision);
  return verdict === 'APPROVED' || verdict === 'REJECTED';
}

/**
 * The one reading of a RiskOS evaluation, for webhooks and polls alike; undefined when an API
 * answer names neither a stage nor a case status.
 *
 * 1. A known event that moves nothing is recorded; an unknown event type is an unknown word.
 * 2. The stage: `eval_status`, else the event type's; an API answer without `eval_status` is read
 *    by its case status (CLOSED or OPEN: completed, ON_HOLD: paused).
 * 3. ON_HOLD, a paused stage or an `evaluation_paused` event: IN_PROGRESS, and the decision is never read.
 * 4. The stage's meaning (failed: FAILED, terminated: CANCELLED, in progress: SUBMITTED, …); a stage
 *    not listed is an unknown word.
 * 5. At a verdict stage, the decision: a known one completes the verification. An unknown one is
 *    an unknown word in an API answer; in a webhook, as without a decision, the API is asked.
 */
export function socureRiskosMeaning(
  evaluation: RiskosEvaluation,
  source: 'callback' | 'poll',
): RiskosReading | undefined {
  const { eventType, evalStatus, status, decision } = evaluation;
  const read = (word: string, meaning: CanonicalMeaning, verdict?: string): RiskosReading => {
    const completed = meaning.status === 'COMPLETED' && verdict !== undefined;
    const final = completed && isFinalRiskosDecision(verdict, status);
    // A decision RiskOS will revisit (a REVIEW or RESUBMIT with its case still open) is provisional:
    // the reviewer's `decision_update`, or the case's completion, gives the final one.
    const awaiting = meaning.decision === 'RESUBMIT' ? 'user_resubmission' : 'provider_review';
    return {
      word,
      meaning: completed && !final ? { ...meaning, provisional: { awaiting } } : meaning,
      final,
      ...(verdict !== undefined ? { decision: verdict } : {}),
    };
  };
  if (eventType !== undefined) {
    const informational = ownEntry(RISKOS_INFORMATIONAL_EVENTS, eventType);
    if (informational) return read(eventType, { ...informational });
    if (ownEntry(RISKOS_STAGE_EVENTS, eventType) === undefined) {
      return read(eventType, unknownWord('event', eventType));
    }
  }
  const stage =
    eventType === 'workflow_execution_failed'
      ? 'failed'
      : (evalStatus ?? (eventType !== undefined ? RISKOS_STAGE_EVENTS[eventType] : stageOfCase(status)));
  if (stage === undefined) return undefined;
  const word = eventType ?? stage;
  const paused = status?.toUpperCase() === 'ON_HOLD' || stage === 'evaluation_paused';
  if (paused || eventType === 'evaluation_paused') return read(word, { status: 'IN_PROGRESS' });
  const row = ownEntry(RISKOS_STAGES, stage);
  if (row === undefined) return read(word, unknownWord('status', stage));
  if (row !== VERDICT) return read(word, { ...row });
  const verdict = socureDecision(decision);
  if (verdict) return read(word, { status: 'COMPLETED', decision: verdict }, decision);
  if (source === 'callback') return read(word, { status: 'SUBMITTED', retrieve: true }, decision || undefined);
  return decision ? read(word, unknownWord('decision', decision), decision) : read(word, { status: 'SUBMITTED' });
}

/** An Evaluation API answer without `eval_status`, by its case status; another word is read as a stage. */
function stageOfCase(status: string | undefined): string | undefined {
  switch (status?.toUpperCase()) {
    case undefined:
      return undefined;
    case 'CLOSED':
    case 'OPEN':
      return 'evaluation_completed';
    case 'ON_HOLD':
      return 'evaluation_paused';
    default:
      return status;
  }
}
