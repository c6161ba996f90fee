export { PROVIDERS, isProviderId, type ProviderId } from '../providers/registry';
/**
 * The package's public entry (`import { KycClient } from 'kyc-orchestrator'`): the client, the
 * canonical vocabulary it speaks, its errors, and the shape of a pushed verdict. Everything
 * here is a stable contract; anything else under dist/ is internal.
 */
export {
  KycClient,
  ReopenRefusedError,
  canonicalReference,
  validateStartRequest,
  type ReopenOutcome,
  type StartVerificationRequest,
  type VerificationFilter,
  type VerificationSummary,
  type VerificationView,
} from './index';
export {
  InvalidRequestError,
  VerificationAlreadyFinishedError,
  VerificationNotFoundError,
  WaitTimeoutError,
} from './errors';
export {
  DECISIONS,
  STATUSES,
  TERMINAL_STATUSES,
  isTerminal,
  AWAITING,
  type Awaiting,
  type Decision,
  type DecisionRecord,
  type EventSource,
  type ProvisionalDecision,
  type Status,
  type TerminalStatus,
  type TimelineEntry,
  type TimelineOutcome,
  type VerificationState,
} from '../verification/model';
export {
  kycWorkflowId,
  parseKycWorkflowId,
  verificationFinishedSignal,
  verificationProvisionalSignal,
  LATE_VERDICT_EVENT_TYPE,
  NOTIFY_EVENT_TYPE,
  PROVISIONAL_EVENT_TYPE,
  type LateVerdictData,
  type LateVerdictPayload,
  type NotifyPayload,
  type LateVerdictNote,
} from '../contracts';
export { ConfigError } from '../config/env-reader';
export { loadClientConfig, type ClientConfig } from '../config/client';
