import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import {
  boundedArray,
  isoTimestamp,
  parseResponse,
  pollEvent,
  providerWordSchema,
  rawWord,
  requireSetting,
} from '../common';
import { ProviderFailure } from '../../verification/provider-failure';
import { joinUrl, ProviderCallError, requestJson } from '../http';
import { TokenCache, withFreshTokenOn401 } from '../token-cache';
import type { RetrievalClient } from '../types';
import { assertionClaims, JWT_BEARER_GRANT, signAssertion } from './assertion';
import type { UnicoSettings } from './settings';
import { unicoFlowOf } from './flows';
import { PROCESS_RESULT, PROCESS_STATE, unicoAuthenticationLabel, unicoProcessMeaning } from './vocabulary';

// Coerced: OAuth2 servers differ on whether expires_in is a number or a numeric string.
const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

/** A word Unico may leave out: absent, null and "" all mean "not sent"; any other text is kept (cut when long). */
const optionalWord = z
  .string()
  .nullish()
  .transform((value) => (value ? rawWord(value) : undefined));

/** Only what the verdict needs; the rest of the answer (person, documents, scores) is never read. */
const processSchema = z.looseObject({
  process: z.looseObject({
    id: z.string().min(1),
    state: providerWordSchema,
    result: optionalWord,
    finishedAt: z.string().max(64).nullish(),
    // Which flow ran, and GetProcess's capacity names for it: they decide which sub-results count.
    flow: optionalWord,
    capacities: boundedArray(providerWordSchema, 50).nullish(),
    // Only the capability verdicts; everything else in authenticationInfo is left unread.
    authenticationInfo: z
      .looseObject({
        authenticationResult: optionalWord,
        livenessResult: optionalWord,
        identityFraudstersResult: optionalWord,
        faceWithOtherIdResult: optionalWord,
        scoreEngineResult: z.looseObject({ scoreEnabled: optionalWord, score: z.number().nullish() }).nullish(),
      })
      .nullish(),
  }),
});

/** Unico advises renewing when about ten minutes remain: minting a token per call exhausts the tenant's budget. */
const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;

/** A refusal by the token endpoint itself: a fresh token cannot cure it, so it is not retried with one. */
class UnicoTokenError extends ProviderCallError {}

/**
 * Unico's GetProcess (Web & SDK contract): an access token from the OAuth2 JWT-bearer grant
 * (an RS256 assertion signed with the service account's key), cached, then
 * `GET /client/v1/process/{processId}`, read state first, then result.
 */
export function createUnicoRetrievalClient(settings: UnicoSettings): RetrievalClient {
  const tokens = new TokenCache(async () => {
    const serviceAccount = requireSetting(settings.serviceAccount, 'UNICO_SERVICE_ACCOUNT', 'unico token');
    const key = settings.privateKey;
    if (!key) {
      throw new ProviderCallError(
        ProviderFailure.NotConfigured,
        'unico token: UNICO_PRIVATE_KEY (or UNICO_PRIVATE_KEY_FILE) is not set',
      );
    }
    const assertion = signAssertion(assertionClaims(serviceAccount, settings.authAudience, Date.now()), key);
    let response;
    try {
      response = await requestJson({
        what: 'unico token',
        url: settings.authUrl,
        form: { grant_type: JWT_BEARER_GRANT, assertion },
      });
    } catch (err) {
      if (err instanceof ProviderCallError) {
        throw new UnicoTokenError(err.failureType, err.message, err.httpStatus, err.retryAfterMs);
      }
      throw err;
    }
    const token = parseResponse(tokenSchema, response.body, 'unico token');
    return { token: token.access_token, expiresInSeconds: token.expires_in };
  }, TOKEN_REFRESH_MARGIN_MS);

  return {
    async retrieve(reference, context): Promise<VerificationEvent> {
      const url = joinUrl(settings.apiBaseUrl, `/client/v1/process/${encodeURIComponent(reference)}`);
      const body = await withFreshTokenOn401(
        tokens,
        async (token) =>
          (await requestJson({ what: 'unico process', url, headers: { Authorization: `Bearer ${token}` } })).body,
        (err) => err instanceof ProviderCallError && !(err instanceof UnicoTokenError) && err.httpStatus === 401,
      );
      const { process } = parseResponse(processSchema, body, 'unico process');
      if (process.id.toLowerCase() !== reference.toLowerCase()) {
        throw new ProviderCallError(ProviderFailure.BadResponse, 'unico process: the answer is about another process');
      }
      const result = process.result;
      const authenticationInfo = process.authenticationInfo ?? undefined;
      // The webhook's flow (kept in the context) for an answer that names none.
      const flow = unicoFlowOf(settings.flows, {
        flow: process.flow,
        capacities: process.capacities ?? undefined,
        contextFlow: context.flow,
      });
      const meaning = unicoProcessMeaning(process.state, result, authenticationInfo, flow);
      if (!meaning) {
        throw new ProviderCallError(ProviderFailure.ResultPending, `unico process: ${process.state} but no result yet`);
      }
      // CREATED carries PROCESS_RESULT_UNSPECIFIED, which says nothing; a finished process's result is the point.
      const providerStatus =
        result && process.state !== PROCESS_STATE.CREATED ? `${process.state}/${result}` : process.state;
      const event = pollEvent('unico', reference, providerStatus, meaning);
      const finishedAt = isoTimestamp(process.finishedAt);
      if (finishedAt && process.state !== PROCESS_STATE.CREATED) event.occurredAt = finishedAt;
      // The sub-results behind a verdict, for the timeline; only a finished process has them.
      const label =
        process.state === PROCESS_STATE.FINISHED ? unicoAuthenticationLabel(authenticationInfo, flow) : undefined;
      if (label && (result === PROCESS_RESULT.OK || result === PROCESS_RESULT.INVALID_IDENTITY)) event.detail = label;
      return event;
    },
  };
}
