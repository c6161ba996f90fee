import type { CanonicalMeaning } from '../../verification/model';
import { ownEntry } from '../common';

/**
 * Jumio's vocabulary in canonical terms: the one place it is mapped (the README's status mapping says
 * the same). Callbacks carry only a workflow status; the verdict is the retrieval API's
 * `decision.type`.
 */
export const JUMIO_STATUS: Record<string, CanonicalMeaning> = {
  INITIATED: { status: 'PENDING' },
  ACQUISITION_STARTED: { status: 'IN_PROGRESS' },
  ACQUIRED: { status: 'SUBMITTED' },
  // Processing finished: the decision must be fetched from the retrieval API.
  PROCESSED: { status: 'SUBMITTED', retrieve: true },
  SESSION_EXPIRED: { status: 'EXPIRED' },
  TOKEN_EXPIRED: { status: 'EXPIRED' },
};

export function jumioStatusMeaning(status: string): CanonicalMeaning {
  const meaning = ownEntry(JUMIO_STATUS, status);
  return meaning ? { ...meaning } : {};
}

/** The retrieval API's `decision.type` (and its label) as a verdict. */
export function jumioDecisionMeaning(type: string, label: string | undefined): CanonicalMeaning {
  switch (type) {
    case 'PASSED':
      return { status: 'COMPLETED', decision: 'APPROVED' };
    case 'WARNING':
      return { status: 'COMPLETED', decision: 'REVIEW' };
    case 'REJECTED':
      return { status: 'COMPLETED', decision: 'REJECTED' };
    case 'NOT_EXECUTED':
      // Started but never completed: Jumio labels it TOKEN_EXPIRED / SESSION_EXPIRED when time ran out.
      return { status: label && /EXPIRED/i.test(label) ? 'EXPIRED' : 'FAILED' };
    default:
      // A type Jumio adds after this table: no verdict is guessed, and waiting for a known one
      // could last forever, so a human is asked.
      return { status: 'ACTION_REQUIRED', attention: 'unknown_decision_type' };
  }
}
