/**
 * The package's public entry (`import { KycClient } from 'kyc-orchestrator'`): the client, the
 * canonical vocabulary it speaks, its errors, and the shape of a pushed verdict. Everything
 * here is a stable contract; anything else under dist/ is internal.
 */
export {
  KycClient,
  validateStartRequest,
  type StartVerificationRequest,
  type VerificationFilter,
  type VerificationSummary,
} from './index';
export {
  InvalidRequestError,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
  WaitTimeoutError,
} from './errors';
export {
  DECISIONS,
  PROVIDERS,
  STATUSES,
  TERMINAL_STATUSES,
  isProviderId,
  isTerminal,
  type Decision,
  type EventSource,
  type ProviderId,
  type Status,
  type TerminalStatus,
  type TimelineEntry,
  type TimelineOutcome,
  type VerificationState,
} from '../verification/model';
export { kycWorkflowId, parseKycWorkflowId, verificationFinishedSignal } from '../workflows/messages';
export { ConfigError, loadClientConfig, type ClientConfig } from '../config';
export { NOTIFY_EVENT_TYPE, type NotifyPayload } from '../activities/notify';
