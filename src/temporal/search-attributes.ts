import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * The search attributes every verification mirrors its state into, so operators can list
 * verifications by provider, status and decision in the Web UI. Keywords only: they hold
 * canonical vocabulary, never personal data.
 */
export const KycProvider = defineSearchAttributeKey('KycProvider', 'KEYWORD');
export const KycStatus = defineSearchAttributeKey('KycStatus', 'KEYWORD');
export const KycDecision = defineSearchAttributeKey('KycDecision', 'KEYWORD');

export const KYC_SEARCH_ATTRIBUTES = [KycProvider, KycStatus, KycDecision];
