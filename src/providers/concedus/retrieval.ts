import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseResponse, pollEvent, requireSetting } from '../common';
import { ProviderFailure } from '../../verification/provider-failure';
import { joinUrl, ProviderCallError, requestJson } from '../http';
import { TokenCache, withFreshTokenOn401, type IssuedToken } from '../token-cache';
import type { RetrievalClient } from '../types';
import { complianceRecordSchema, concedusKeyOf, statusCodeSchema, type KeyKind } from './records';
import { concedusMeaning, type ConcedusStatusKind, type ConcedusVocabulary } from './vocabulary';

export interface ConcedusSettings {
  apiBaseUrl: string;
  /** Concedus's API access data ("username and password"), from CONCEDUS_USERNAME / CONCEDUS_PASSWORD. */
  username: string;
  password: string;
  vocabulary: ConcedusVocabulary;
  /** `CONCEDUS_CONFIRM_VERDICTS`: a compliance verdict from a callback is confirmed through the status API first. */
  confirmVerdicts: boolean;
}

/** Concedus: "The token has a validity of 4 minutes". */
export const CONCEDUS_TOKEN_LIFETIME_SECONDS = 240;
/** Renew this long before the four minutes are up, so a token never lapses mid-request. */
const TOKEN_MARGIN_MS = 30_000;

const tokenSchema = z.looseObject({
  accessToken: z.string().min(1),
  exp: z.number().optional(),
  refreshToken: z.string().min(1).optional(),
});
const identStatusSchema = z.looseObject({ status: statusCodeSchema });

/** Which status endpoint answers for each kind of key, and in which vocabulary. */
const STATUS_ENDPOINTS: Record<KeyKind, { path: string; vocabulary: ConcedusStatusKind }> = {
  customer: { path: '/v2/compliance/status/customers', vocabulary: 'complianceRecord' },
  contract: { path: '/v2/compliance/status/contracts', vocabulary: 'complianceRecord' },
  person: { path: '/v2/status/person', vocabulary: 'ident' },
  ident: { path: '/v2/status/ident', vocabulary: 'ident' },
};

/**
 * Concedus's retrieval API: a session token from username and password (four minutes, renewed
 * with the refresh token, or by logging in again when that is refused), then the compliance
 * status of a customer or contract, or the ident status of a person or ident. A 404 ("Compliance
 * record not created") means not ready yet.
 */
export function createConcedusRetrievalClient(
  settings: ConcedusSettings,
  options: { now?: () => number } = {},
): RetrievalClient {
  const now = options.now ?? Date.now;
  let session: { accessToken: string; refreshToken?: string } | undefined;

  const tokens = new TokenCache(renewSession, TOKEN_MARGIN_MS, now);

  async function renewSession(): Promise<IssuedToken> {
    const refreshToken = session?.refreshToken;
    if (session && refreshToken) {
      try {
        return accept(
          await post('/v2/auth/refresh', { RefreshToken: refreshToken }, 'concedus token refresh', session.accessToken),
          'concedus token refresh',
        );
      } catch (err) {
        // An outage would refuse a login just the same; anything else means the refresh token is spent.
        if (!(err instanceof ProviderCallError) || isTransient(err)) throw err;
        session = undefined;
      }
    }
    const username = requireSetting(settings.username, 'CONCEDUS_USERNAME', 'concedus login');
    const password = requireSetting(settings.password, 'CONCEDUS_PASSWORD', 'concedus login');
    return accept(await post('/v2/auth/token', { username, password }, 'concedus login'), 'concedus login');
  }

  function accept(body: unknown, what: string): IssuedToken {
    const token = parseResponse(tokenSchema, body, what);
    session = { accessToken: token.accessToken, ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}) };
    return { token: token.accessToken, expiresInSeconds: lifetimeSeconds(token.exp, now()) };
  }

  async function post(path: string, json: unknown, what: string, bearer?: string): Promise<unknown> {
    const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${bearer}` } : {};
    return (await requestJson({ what, url: joinUrl(settings.apiBaseUrl, path), json, headers })).body;
  }

  const get = (url: string, what: string) =>
    withFreshTokenOn401(
      tokens,
      async (token) => (await requestJson({ what, url, headers: { Authorization: `Bearer ${token}` } })).body,
      (err) => err instanceof ProviderCallError && err.httpStatus === 401,
    );

  return {
    async retrieve(reference, context): Promise<VerificationEvent> {
      const { kind: keyKind, key } = concedusKeyOf(reference, context);
      const endpoint = STATUS_ENDPOINTS[keyKind];
      const what = `concedus ${keyKind} status`;
      const body = await get(joinUrl(settings.apiBaseUrl, `${endpoint.path}/${encodeURIComponent(key)}`), what);
      if (endpoint.vocabulary === 'complianceRecord') {
        const record = parseResponse(complianceRecordSchema, body, what);
        const event = concedusPollEvent(reference, endpoint.vocabulary, record.status, settings.vocabulary);
        const occurredAt = isoTimestamp(record.modified);
        if (occurredAt) event.occurredAt = occurredAt;
        return event;
      }
      const ident = parseResponse(identStatusSchema, body, what);
      return concedusPollEvent(reference, endpoint.vocabulary, ident.status, settings.vocabulary);
    },
  };
}

/**
 * The four documented minutes, or less when `exp` (epoch seconds) says so; an `exp` that reads
 * as already past is a clock difference between us and Concedus, not a dead token.
 */
function lifetimeSeconds(exp: number | undefined, nowMs: number): number {
  const remaining = exp === undefined ? undefined : exp - nowMs / 1000;
  return remaining !== undefined && remaining > 0 && remaining < CONCEDUS_TOKEN_LIFETIME_SECONDS
    ? remaining
    : CONCEDUS_TOKEN_LIFETIME_SECONDS;
}

function isTransient(err: ProviderCallError): boolean {
  return err.failureType === ProviderFailure.Unavailable || err.failureType === ProviderFailure.RateLimited;
}

function concedusPollEvent(
  reference: string,
  kind: ConcedusStatusKind,
  code: string,
  vocabulary: ConcedusVocabulary,
): VerificationEvent {
  return pollEvent('concedus', reference, `${kind}:${code}`, concedusMeaning(vocabulary, kind, code));
}
