import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseCallbackBody, providerStatusSchema, referenceSchema } from '../common';
import type { CallbackParser, ParsedCallback } from '../types';
import { jumioStatusMeaning } from './vocabulary';

/**
 * Jumio's workflow-execution callback: the documented shape (callbackSentAt, workflowExecution,
 * account) and the seed's. Unknown fields are tolerated; `userReference` is the app's and is
 * not kept.
 */
export const jumioCallbackSchema = z.looseObject({
  callbackSentAt: z.string().max(64).optional(),
  workflowExecution: z.looseObject({
    id: referenceSchema,
    status: providerStatusSchema,
    href: z.string().max(2048).optional(),
    definitionKey: z.union([z.string().max(64), z.number()]).optional(),
  }),
  account: z.looseObject({ id: referenceSchema, href: z.string().max(2048).optional() }).optional(),
});

export function createJumioCallbackParser(): CallbackParser {
  return {
    parse(body: unknown): ParsedCallback {
      const callback = parseCallbackBody(jumioCallbackSchema, body);
      const execution = callback.workflowExecution;
      const context: Record<string, string> = {};
      if (callback.account?.id) context.accountId = callback.account.id;
      if (execution.href) context.href = execution.href;
      const event: VerificationEvent = {
        provider: 'jumio',
        reference: execution.id,
        providerStatus: execution.status,
        source: 'callback',
        // Each status happens once per workflow execution, so a redelivery carries the same key.
        dedupKey: `callback:${execution.status}`,
        meaning: jumioStatusMeaning(execution.status),
        context,
      };
      const occurredAt = isoTimestamp(callback.callbackSentAt);
      if (occurredAt) event.occurredAt = occurredAt;
      return { events: [event], rejected: [] };
    },
  };
}
