// The workflow bundle's entry: workflows only (the worker bundles everything this imports).
export { verificationWorkflow } from './verification';
export { deadLetterWorkflow } from './dead-letter';
export { lateVerdictNotificationWorkflow } from './late-verdict';
