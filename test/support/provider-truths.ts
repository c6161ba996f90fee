/**
 * What each provider's simulator is scripted to say, and the canonical status and decision a
 * verification must end with for it. Written out here rather than read from src/providers'
 * vocabularies, so that a wrong mapping there fails the tests that use these tables.
 * Shared by the chaos run (test/support/chaos.ts) and the adversarial schedules (test/support/schedules.ts).
 */
export interface Truth {
  status: string;
  decision?: string;
}

/** Jumio's `decision.type` from its retrieval API (the callbacks only announce it). */
export const JUMIO_TRUTH: Record<string, { status: string; decision: string }> = {
  PASSED: { status: 'COMPLETED', decision: 'APPROVED' },
  REJECTED: { status: 'COMPLETED', decision: 'REJECTED' },
  WARNING: { status: 'COMPLETED', decision: 'REVIEW' },
};

/** Attestr's final flowx event. Its events carry no decision; its API tells a finished flow's result, not how it ended. */
export const ATTESTR_TRUTH: Record<string, { status: string; decision?: string }> = {
  'flowx.completed': { status: 'COMPLETED' },
  'flowx.errored': { status: 'FAILED' },
  'flowx.skipped': { status: 'ABANDONED' },
};

/** Socure's DocV decision (lower case; RiskOS writes it upper case), the same in its verdict callback and its API. */
export const SOCURE_TRUTH: Record<string, { status: string; decision: string }> = {
  accept: { status: 'COMPLETED', decision: 'APPROVED' },
  reject: { status: 'COMPLETED', decision: 'REJECTED' },
  resubmit: { status: 'COMPLETED', decision: 'RESUBMIT' },
  review: { status: 'COMPLETED', decision: 'REVIEW' },
};

/**
 * Unico's webhook `result` of a finished process, the `result` GetProcess answers for it (state
 * PROCESS_STATE_FINISHED), and what that means. OK is with the simulator's default sub-results,
 * Unico's documented "approved in IDUnico" (live, authentication POSITIVE); INVALID_IDENTITY with
 * every sub-result UNSPECIFIED, as Unico answers for a process that was not approved.
 */
export const UNICO_TRUTH: Record<string, { processResult: string; status: string; decision?: string }> = {
  ok: { processResult: 'PROCESS_RESULT_OK', status: 'COMPLETED', decision: 'APPROVED' },
  invalid_identity: { processResult: 'PROCESS_RESULT_INVALID_IDENTITY', status: 'COMPLETED', decision: 'REJECTED' },
  expired: { processResult: 'PROCESS_RESULT_EXPIRED', status: 'EXPIRED' },
};

/**
 * Concedus's status codes, by kind: a compliance record of a customer or contract (100 accepted,
 * the only code Concedus documents), and a person's ident status (0 failure, 102 aborted; the
 * other codes are not ends).
 */
export const CONCEDUS_TRUTH: Record<string, { status: string; decision?: string }> = {
  'complianceRecord:100': { status: 'COMPLETED', decision: 'APPROVED' },
  'ident:0': { status: 'FAILED' },
  'ident:102': { status: 'ABANDONED' },
};
