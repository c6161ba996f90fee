import { defineSignal } from '@temporalio/workflow';

/**
 * "Ask the provider now": the workflow polls outside its schedule. Declared here until the
 * workflow's contract module (src/workflows/messages.ts) exports it; the name is the contract.
 */
export const refreshSignal = defineSignal('refresh');
