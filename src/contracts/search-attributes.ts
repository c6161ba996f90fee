import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * The search attributes every verification mirrors its state into, so operators can list
 * verifications by provider, status and decision in the Web UI. Keywords only: they hold
 * canonical vocabulary, never personal data.
 */
export const KycProvider = defineSearchAttributeKey('KycProvider', 'KEYWORD');
export const KycStatus = defineSearchAttributeKey('KycStatus', 'KEYWORD');
export const KycDecision = defineSearchAttributeKey('KycDecision', 'KEYWORD');
/** Dead letters (src/dead-letters/): why a callback was refused, and the verification it belongs to (an ID). */
export const KycDeadLetterReason = defineSearchAttributeKey('KycDeadLetterReason', 'KEYWORD');
export const KycVerificationId = defineSearchAttributeKey('KycVerificationId', 'KEYWORD');
/** The latest attention code of a verification (e.g. `max_lifetime_reached`): what operators filter on. */
export const KycAttention = defineSearchAttributeKey('KycAttention', 'KEYWORD');
export const KYC_SEARCH_ATTRIBUTES = [
  KycProvider,
  KycStatus,
  KycDecision,
  KycAttention,
  KycDeadLetterReason,
  KycVerificationId,
];
