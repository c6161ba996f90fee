import { joinUrl } from '../http';

/** Jumio's US retrieval API, the default region (`JUMIO_API_BASE_URL`). */
export const JUMIO_DEFAULT_API_BASE_URL = 'https://retrieval.amer-1.jumio.ai';

/**
 * One of Jumio's regions: its retrieval API's origin and the OAuth2 token endpoint whose tokens it
 * takes. Jumio's Retrieval API declares one authorization per region (`Oauth2-US`, `Oauth2-EU`,
 * `Oauth2-SGP`), so each region has its own token.
 */
export interface JumioRegion {
  origin: string;
  authUrl: string;
}

/**
 * Jumio's documented regions (US, EU, SGP): token endpoints `https://auth.<region>.jumio.ai/oauth2/token`
 * (KYX integration guide) and retrieval hosts on the same pattern as the documented
 * `https://retrieval.amer-1.jumio.ai`. The default of `JUMIO_REGIONS`.
 */
export const JUMIO_DOCUMENTED_REGIONS: readonly JumioRegion[] = ['amer-1', 'emea-1', 'apac-1'].map((region) => ({
  origin: `https://retrieval.${region}.jumio.ai`,
  authUrl: `https://auth.${region}.jumio.ai/oauth2/token`,
}));

/** Where a workflow execution's details live, built from IDs only. */
export function executionDetailsUrl(apiBaseUrl: string, accountId: string, reference: string): string {
  return joinUrl(
    apiBaseUrl,
    `/api/v1/accounts/${encodeURIComponent(accountId)}/workflow-executions/${encodeURIComponent(reference)}`,
  );
}

/** Why a callback's `workflowExecution.href` was not taken (log and attention codes, never the URL). */
export type HrefProblem = 'not_a_url' | 'userinfo' | 'query' | 'fragment' | 'other_origin' | 'other_path';

/** The href taken: the URL rebuilt from the IDs, on the origin it named (the configured API's, or another region's). */
export type HrefCheck = { url: string; origin: string } | { problem: HrefProblem };

/**
 * The one check of a Jumio `href` (callbacks and retrieval both use it): an absolute URL with no
 * userinfo, query or fragment, on the configured API's origin, whose path is exactly
 * `/api/v1/accounts/<accountId>/workflow-executions/<reference>` for the IDs we expect. What it
 * returns is that URL rebuilt from the IDs, never the text that was sent, so nothing but those IDs
 * can reach a request made with our token. `regionOrigins` are the other regions' retrieval origins
 * (`JUMIO_REGIONS`): an href on one of them is taken the same way, rebuilt on that origin; this is
 * the one place where another origin is accepted.
 */
export function checkExecutionHref(
  href: string,
  expected: { apiBaseUrl: string; accountId: string; reference: string; regionOrigins?: readonly string[] },
): HrefCheck {
  // Whitespace, control characters and backslashes are things URL parsing forgives and we do not.
  // eslint-disable-next-line no-control-regex
  if (/[\s\\\u0000-\u001f\u007f]/.test(href)) return { problem: 'not_a_url' };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { problem: 'not_a_url' };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(href) || url.username || url.password) return { problem: 'userinfo' };
  if (href.includes('?')) return { problem: 'query' };
  if (href.includes('#')) return { problem: 'fragment' };
  const configured = new URL(executionDetailsUrl(expected.apiBaseUrl, expected.accountId, expected.reference));
  const base =
    url.origin === configured.origin
      ? expected.apiBaseUrl
      : expected.regionOrigins?.find((origin) => new URL(origin).origin === url.origin);
  if (base === undefined) return { problem: 'other_origin' };
  const built = executionDetailsUrl(base, expected.accountId, expected.reference);
  if (url.pathname !== new URL(built).pathname) return { problem: 'other_path' };
  return { url: built, origin: url.origin };
}
