/**
 * The errors `KycClient` throws, one class per thing the caller can act on. Messages name the
 * verification by its workflow ID (provider IDs only, never personal data).
 */
import type { VerificationState } from '../verification/model';

/** No verification with this provider and reference (or it is past the namespace's retention). */
export class VerificationNotFoundError extends Error {
  override name = 'VerificationNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no verification ${workflowId}`);
  }
}

/**
 * The verification already reached a terminal status, so the request (cancel, refresh) cannot
 * change anything; `state` is its final state, the verdict the caller may have missed.
 */
export class VerificationAlreadyFinishedError extends Error {
  override name = 'VerificationAlreadyFinishedError';
  constructor(
    readonly workflowId: string,
    readonly state: VerificationState,
  ) {
    super(`verification ${workflowId} already finished: ${state.status}${state.decision ? `/${state.decision}` : ''}`);
  }
}

/** The app asked for something malformed or incomplete: fix the request, retrying it cannot help. */
export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

/** `waitForVerification` gave up after its timeout; the verification goes on. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}
