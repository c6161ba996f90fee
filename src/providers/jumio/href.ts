import { joinUrl } from '../http';

/** Jumio's US retrieval API, the default region (`JUMIO_API_BASE_URL`). */
export const JUMIO_DEFAULT_API_BASE_URL = 'https://retrieval.amer-1.jumio.ai';

/** Where a workflow execution's details live, built from IDs only. */
export function executionDetailsUrl(apiBaseUrl: string, accountId: string, reference: string): string {
  return joinUrl(
    apiBaseUrl,
    `/api/v1/accounts/${encodeURIComponent(accountId)}/workflow-executions/${encodeURIComponent(reference)}`,
  );
}

/** Why a callback's `workflowExecution.href` was not taken (log and attention codes, never the URL). */
export type HrefProblem = 'not_a_url' | 'userinfo' | 'query' | 'fragment' | 'other_origin' | 'other_path';

export type HrefCheck = { url: string } | { problem: HrefProblem };

/**
 * The one check of a Jumio `href` (callbacks and retrieval both use it): an absolute URL with no
 * userinfo, query or fragment, on the configured API's origin, whose path is exactly
 * `/api/v1/accounts/<accountId>/workflow-executions/<reference>` for the IDs we expect. What it
 * returns is that URL rebuilt from the IDs, never the text that was sent, so nothing but those IDs
 * can reach a request made with our token. Following Jumio's other regions means accepting more
 * origins here, and nowhere else.
 */
export function checkExecutionHref(
  href: string,
  expected: { apiBaseUrl: string; accountId: string; reference: string },
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
  const built = executionDetailsUrl(expected.apiBaseUrl, expected.accountId, expected.reference);
  const wanted = new URL(built);
  if (url.origin !== wanted.origin) return { problem: 'other_origin' };
  if (url.pathname !== wanted.pathname) return { problem: 'other_path' };
  return { url: built };
}
