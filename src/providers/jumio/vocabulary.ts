import type { CanonicalMeaning } from '../../verification/model';
import { ownEntry, unknownWord } from '../common';

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

/** A workflow status, from a callback or `/status`; one Jumio adds after this table is an unknown word. */
export function jumioStatusMeaning(status: string): CanonicalMeaning {
  const meaning = ownEntry(JUMIO_STATUS, status);
  return meaning ? { ...meaning } : unknownWord('status', status);
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
      return { status: notExecutedStatus(label) };
    default:
      // A type Jumio adds after this table: no verdict is guessed, and waiting for a known one
      // could last forever, so a human is asked.
      return unknownWord('decision', type);
  }
}

/**
 * NOT_EXECUTED: "Transactions that are started but not completed … This usually happens when the
 * end-user exits the process before submitting the necessary credentials" (Jumio, Retrieval). So
 * the user left (ABANDONED), unless the label says time ran out (TOKEN_EXPIRED, SESSION_EXPIRED:
 * EXPIRED) or Jumio's own error prevented it (TECHNICAL_ERROR: "An error prevented execution",
 * FAILED). No label, NOT_EXECUTED, NOT_UPLOADED ("The image was not uploaded") or a label Jumio
 * adds later all read as the documented usual case.
 */
function notExecutedStatus(label: string | undefined): 'EXPIRED' | 'FAILED' | 'ABANDONED' {
  if (label && /EXPIRED/i.test(label)) return 'EXPIRED';
  if (label?.toUpperCase() === 'TECHNICAL_ERROR') return 'FAILED';
  return 'ABANDONED';
}
