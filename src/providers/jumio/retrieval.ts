import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseResponse, pollEvent, providerWordSchema, requireSetting } from '../common';
import { ProviderFailure } from '../../verification/provider-failure';
import { ProviderCallError, requestJson } from '../http';
import { TokenCache, withFreshTokenOn401 } from '../token-cache';
import type { RetrievalClient } from '../types';
import { checkExecutionHref, executionDetailsUrl, JUMIO_DOCUMENTED_REGIONS, type JumioRegion } from './href';
import { jumioDecisionMeaning, jumioStatusMeaning } from './vocabulary';

export interface JumioSettings {
  apiBaseUrl: string;
  /** OAuth2 token endpoint (client credentials). */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  /** Jumio refuses calls without a User-Agent naming the integrator. */
  userAgent: string;
  /** `JUMIO_ACCOUNT_IDS`: whose callbacks are ours; unset only with development defaults (any account). */
  accountIds?: string[];
  /**
   * `JUMIO_REGIONS`: Jumio's other regions (default: the documented ones). A callback `href` on one
   * of them is fetched there, with a token of that region's.
   */
  regions?: readonly JumioRegion[];
}

const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
// Words are read as any text (an unmapped or unprintable one is an unknown word); null reads as absent.
const statusSchema = z.looseObject({
  workflowExecution: z.looseObject({ id: z.string().nullish(), status: providerWordSchema }),
});
const decisionSchema = z.looseObject({
  type: providerWordSchema,
  details: z.looseObject({ label: providerWordSchema.nullish() }).nullish(),
});
// Current docs put `decision` at the top level; the older guide had it under `workflow`.
const detailsSchema = z.looseObject({
  completedAt: z.string().nullish(),
  decision: decisionSchema.nullish(),
  workflow: z.looseObject({ status: z.string().nullish(), decision: decisionSchema.nullish() }).nullish(),
});

/**
 * Jumio's retrieval API: an OAuth2 client-credentials token (cached), the workflow-execution
 * `/status`, and, once PROCESSED, the details that carry the decision.
 */
export function createJumioRetrievalClient(settings: JumioSettings): RetrievalClient {
  const headers = { 'User-Agent': settings.userAgent };
  const regions = settings.regions ?? JUMIO_DOCUMENTED_REGIONS;
  const tokenFrom = (authUrl: string) =>
    new TokenCache(async () => {
      const clientId = requireSetting(settings.clientId, 'JUMIO_CLIENT_ID', 'jumio token');
      const secret = requireSetting(settings.clientSecret, 'JUMIO_CLIENT_SECRET', 'jumio token');
      const response = await requestJson({
        what: 'jumio token',
        url: authUrl,
        headers: { ...headers, Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
        form: { grant_type: 'client_credentials' },
      });
      const token = parseResponse(tokenSchema, response.body, 'jumio token');
      return { token: token.access_token, expiresInSeconds: token.expires_in };
    });
  // One token per region: a region's API takes only its own token endpoint's tokens.
  const configuredOrigin = new URL(settings.apiBaseUrl).origin;
  const tokenCaches = new Map<string, TokenCache>([[configuredOrigin, tokenFrom(settings.authUrl)]]);
  const tokensFor = (url: string): TokenCache => {
    const origin = new URL(url).origin;
    let cache = tokenCaches.get(origin);
    if (!cache) {
      const region = regions.find((each) => new URL(each.origin).origin === origin);
      // executionUrl only builds URLs on the configured origin or a listed region's.
      if (!region) throw new ProviderCallError(ProviderFailure.RequestRejected, 'jumio retrieval: not a listed region');
      cache = tokenFrom(region.authUrl);
      tokenCaches.set(origin, cache);
    }
    return cache;
  };

  const get = (url: string, what: string) =>
    withFreshTokenOn401(
      tokensFor(url),
      async (token) =>
        (await requestJson({ what, url, headers: { ...headers, Authorization: `Bearer ${token}` } })).body,
      (err) => err instanceof ProviderCallError && err.httpStatus === 401,
    );

  return {
    async retrieve(reference, context): Promise<VerificationEvent> {
      const detailsUrl = executionUrl(settings.apiBaseUrl, reference, context, regions);
      const status = parseResponse(statusSchema, await get(`${detailsUrl}/status`, 'jumio status'), 'jumio status');
      const workflowStatus = status.workflowExecution.status;
      if (workflowStatus !== 'PROCESSED') {
        return pollEvent('jumio', reference, workflowStatus, jumioStatusMeaning(workflowStatus));
      }
      const details = parseResponse(detailsSchema, await get(detailsUrl, 'jumio details'), 'jumio details');
      const decision = details.decision ?? details.workflow?.decision;
      if (!decision) {
        throw new ProviderCallError(ProviderFailure.ResultPending, 'jumio details: PROCESSED but no decision yet');
      }
      const label = decision.details?.label ?? undefined;
      const event = pollEvent(
        'jumio',
        reference,
        `PROCESSED/${decision.type}`,
        jumioDecisionMeaning(decision.type, label),
      );
      if (label) event.detail = label.slice(0, 100);
      const completedAt = isoTimestamp(details.completedAt);
      if (completedAt) event.occurredAt = completedAt;
      return event;
    },
  };
}

/**
 * The details URL of a workflow execution, from the verification's account ID (the app's, or the
 * latest callback's) on the configured API, or on the region a callback's `href` names when that is
 * one of `JUMIO_REGIONS` (a transaction lives in one region; the others answer 404). The `href` is
 * taken only when it passes the same check as at the ingress for these very IDs
 * ({@link checkExecutionHref}), so neither a forged callback nor an href kept before that check
 * existed can steer our authenticated requests.
 */
export function executionUrl(
  apiBaseUrl: string,
  reference: string,
  context: Record<string, string>,
  regions: readonly JumioRegion[] = JUMIO_DOCUMENTED_REGIONS,
): string {
  const accountId = context.accountId;
  if (!accountId) {
    throw new ProviderCallError(
      ProviderFailure.RequestRejected,
      'jumio retrieval needs the account ID (from a callback, or the app\'s start context "accountId")',
    );
  }
  const href = context.href;
  const regionOrigins = regions.map((region) => region.origin);
  const check = href ? checkExecutionHref(href, { apiBaseUrl, accountId, reference, regionOrigins }) : undefined;
  return check && 'url' in check ? check.url : executionDetailsUrl(apiBaseUrl, accountId, reference);
}
