import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseCallbackBody, providerStatusSchema, referenceSchema } from '../common';
import { createLogger, type Logger } from '../../logger';
import { kycWorkflowId } from '../../workflows/messages';
import { isSameOrigin } from '../http';
import type { CallbackParser, ParsedCallback } from '../types';
import { jumioStatusMeaning } from './vocabulary';

/** A URL's host for a log line; an unparseable href is named as such, never echoed. */
function hostOf(url: string): string {
  try {
    return new URL(url).host.slice(0, 100);
  } catch {
    return '(not a URL)';
  }
}

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

export interface JumioCallbackOptions {
  /** The configured retrieval API (`JUMIO_API_BASE_URL`): an href on another host is noted. */
  apiBaseUrl?: string;
  logger?: Logger;
}

/**
 * Jumio's callback. Its `href` names the region that holds the transaction; one on another host
 * than the configured API (another region, or a forged one) is never fetched with our token, so
 * the verification would be asked about on the wrong region: the event says so
 * (`attention: foreign_region_href`) and a log line names both hosts, nothing personal.
 */
export function createJumioCallbackParser(options: JumioCallbackOptions = {}): CallbackParser {
  const logger = options.logger ?? createLogger('jumio');
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
      if (execution.href && options.apiBaseUrl && !isSameOrigin(execution.href, options.apiBaseUrl)) {
        event.meaning = { ...event.meaning, attention: 'foreign_region_href' };
        logger.warn('jumio callback href is on another region than JUMIO_API_BASE_URL', {
          workflowId: kycWorkflowId('jumio', execution.id),
          hrefHost: hostOf(execution.href),
          configuredHost: hostOf(options.apiBaseUrl),
        });
      }
      return { events: [event], rejected: [] };
    },
  };
}
