import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseCallbackBody, providerWordSchema, referenceSchema } from '../common';
import { createLogger, type Logger } from '../../logger';
import { kycWorkflowId } from '../../contracts';
import { CallbackNotOursError, type CallbackParser, type ParsedCallback } from '../types';
import { checkExecutionHref, JUMIO_DEFAULT_API_BASE_URL, JUMIO_DOCUMENTED_REGIONS } from './href';
import { jumioStatusMeaning } from './vocabulary';

/** A URL's host for a log line; an unparseable href is named as such, never echoed. */
function hostOf(url: string): string {
  try {
    return new URL(url).host.slice(0, 100);
  } catch {
    return '(not a URL)';
  }
}

/** Longer than any URL or time Jumio sends: such a value is not read (the callback still is). */
const MAX_HREF = 2048;
const MAX_TIME = 64;

/**
 * Jumio's workflow-execution callback: the documented shape (callbackSentAt, workflowExecution,
 * account) and the seed's. Unknown fields are tolerated; `userReference` is the app's and is
 * not kept. Every field but the execution's ID and status is optional, and `null` reads as
 * absent. The status is any word (one no table maps is an unknown word, never a 400).
 */
export const jumioCallbackSchema = z.looseObject({
  callbackSentAt: z.string().nullish(),
  workflowExecution: z.looseObject({
    id: referenceSchema,
    status: providerWordSchema,
    href: z.string().nullish(),
    definitionKey: z.union([z.string(), z.number()]).nullish(),
  }),
  account: z.looseObject({ id: referenceSchema, href: z.string().nullish() }).nullish(),
});

export interface JumioCallbackOptions {
  /** The configured retrieval API (`JUMIO_API_BASE_URL`): an href is kept only on its origin. */
  apiBaseUrl?: string;
  /**
   * `JUMIO_ACCOUNT_IDS`: the accounts whose callbacks are ours. Unset (development only): any.
   * Jumio's addresses send every Jumio customer's callbacks, so the allowlist alone proves Jumio
   * sent it, not that it is ours.
   */
  accountIds?: readonly string[];
  /** `JUMIO_REGIONS`' retrieval origins (default: Jumio's documented regions): an href on one is kept. */
  regionOrigins?: readonly string[];
  logger?: Logger;
}

/**
 * Jumio's callback. Its `account.id` must be one of ours (`JUMIO_ACCOUNT_IDS`): another
 * customer's callback is refused ({@link CallbackNotOursError}). Its `href` is kept only when it
 * is exactly the execution's URL on the configured API or on one of Jumio's regions
 * (`JUMIO_REGIONS`, {@link checkExecutionHref}), and then as rebuilt from the IDs: retrieval then
 * asks that region. One on any other host (a forged one) is never fetched with our token: the
 * event says so (`attention: foreign_region_href`) and a log line names both hosts, nothing
 * personal. Any other href is dropped with a log line naming the problem.
 */
export function createJumioCallbackParser(options: JumioCallbackOptions = {}): CallbackParser {
  const logger = options.logger ?? createLogger('jumio');
  const apiBaseUrl = options.apiBaseUrl ?? JUMIO_DEFAULT_API_BASE_URL;
  const regionOrigins = options.regionOrigins ?? JUMIO_DOCUMENTED_REGIONS.map((region) => region.origin);
  return {
    parse(body: unknown): ParsedCallback {
      const callback = parseCallbackBody(jumioCallbackSchema, body);
      const execution = callback.workflowExecution;
      const accountId = callback.account?.id;
      const workflowId = kycWorkflowId('jumio', execution.id);
      const context: Record<string, string> = {};
      if (accountId) context.accountId = accountId;
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
      const sentAt = callback.callbackSentAt;
      const occurredAt = sentAt && sentAt.length <= MAX_TIME ? isoTimestamp(sentAt) : undefined;
      if (occurredAt) event.occurredAt = occurredAt;
      if (options.accountIds && !(accountId && options.accountIds.includes(accountId))) {
        const message = accountId ? 'not one of JUMIO_ACCOUNT_IDS' : 'missing (JUMIO_ACCOUNT_IDS is set)';
        throw new CallbackNotOursError('foreign_account', [{ path: 'account.id', message }], [event]);
      }
      const href = execution.href && execution.href.length <= MAX_HREF ? execution.href : undefined;
      if (href && accountId) {
        const check = checkExecutionHref(href, { apiBaseUrl, accountId, reference: execution.id, regionOrigins });
        if ('url' in check) context.href = check.url;
        else if (check.problem === 'other_origin') {
          // An unknown status keeps its own attention: the word is what a human must read first.
          if (!event.meaning.attention) event.meaning = { ...event.meaning, attention: 'foreign_region_href' };
          logger.warn('jumio callback href is on another region than JUMIO_API_BASE_URL', {
            workflowId,
            hrefHost: hostOf(href),
            configuredHost: hostOf(apiBaseUrl),
          });
        } else {
          logger.warn('jumio callback href is not the execution URL; not kept', { workflowId, problem: check.problem });
        }
      }
      return { events: [event], rejected: [] };
    },
  };
}
