import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces move into an encoded payload, so the payload codec encrypts
 * them like any other data: an error text that quotes a provider answer stays out of the history
 * in clear. Loaded by path (`failureConverterPath`) because the workflow bundle needs it too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
