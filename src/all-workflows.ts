// The workflow bundle's entry: workflows only (the worker bundles everything this imports).
export { verificationWorkflow } from './workflows/verification';
export { deadLetterWorkflow } from './dead-letters/workflow';
export { lateVerdictNotificationWorkflow } from './late-verdicts/workflow';
