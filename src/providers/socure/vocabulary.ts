import type { CanonicalMeaning, Decision } from '../../verification/model';
import { ownEntry } from '../common';

/**
 * A row whose meaning depends on the verdict the event carries: with a decision we know the
 * outcome; without one the result exists at Socure but must be fetched from its API.
 */
export const VERDICT = 'verdict';

/**
 * Socure's vocabulary in canonical terms: the one place it is mapped (the README's status mapping says
 * the same). DocV event types (the seed's AsyncAPI shape and the legacy DocV envelope share
 * them, upper case) and RiskOS event types (lower case) do not collide, so one table serves both.
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

  // RiskOS evaluation events.
  evaluation_completed: VERDICT,
  // Paused for DocV (status ON_HOLD, decision REVIEW): the evaluation waits for the end user to
  // capture documents. Its REVIEW is a placeholder, never a verdict; IN_PROGRESS claims no more
  // than we know, and keeps SUBMITTED reachable when the evaluation resumes.
  evaluation_paused: { status: 'IN_PROGRESS' },
  // Resumes once the DocV step returned: the user's part is done, the verdict is pending.
  evaluation_resumed: { status: 'SUBMITTED' },
  // Progress notes on the evaluation's case: recorded only.
  case_notes_added: { informational: true },
};

/** DocV decisions (lower case) and RiskOS decisions (upper case), compared case-insensitively. */
export const SOCURE_DECISIONS: Record<string, Decision> = {
  accept: 'APPROVED',
  reject: 'REJECTED',
  resubmit: 'RESUBMIT',
  review: 'REVIEW',
};

/** Whether the event type's decision is a verdict (elsewhere RiskOS's decision is a placeholder REVIEW). */
export function isVerdictEvent(eventType: string): boolean {
  return ownEntry(SOCURE_EVENTS, eventType) === VERDICT;
}

export function socureDecision(value: string | undefined | null): Decision | undefined {
  return value ? ownEntry(SOCURE_DECISIONS, value.toLowerCase()) : undefined;
}

/**
 * What a callback means. A verdict event whose decision we recognise completes the
 * verification; without a recognisable decision the result is confirmed through the API.
 */
export function socureEventMeaning(eventType: string, decision?: string | null): CanonicalMeaning {
  const row = ownEntry(SOCURE_EVENTS, eventType);
  if (row === undefined) return {};
  if (row !== VERDICT) return { ...row };
  const verdict = socureDecision(decision);
  return verdict ? { status: 'COMPLETED', decision: verdict } : { status: 'SUBMITTED', retrieve: true };
}

/**
 * What an answer of the retrieval API means. `stage` is the answer's DocV or RiskOS word;
 * undefined when the API reports a verdict only (ID+). A decision counts only at a verdict
 * stage: a paused RiskOS evaluation carries a placeholder REVIEW. The API is the authority we
 * fall back on, so a decision we do not recognise (RiskOS decisions are workflow-configurable)
 * must not loop as "not ready": it completes the verification for a human to review. Without a
 * decision the answer is progress only, never itself an announcement (a poll must not start polling).
 */
export function socureResultMeaning(stage: string | undefined, decision: string | undefined | null): CanonicalMeaning {
  const row = stage === undefined ? VERDICT : ownEntry(SOCURE_EVENTS, stage);
  if (row === undefined) return {};
  if (row !== VERDICT) return { ...row };
  return decision ? { status: 'COMPLETED', decision: socureDecision(decision) ?? 'REVIEW' } : { status: 'SUBMITTED' };
}

/** The providerStatus recorded for an event: the event type, and the decision when it carries one. */
export function socureProviderStatus(eventType: string, decision?: string | null): string {
  return decision ? `${eventType}/${decision}` : eventType;
}
