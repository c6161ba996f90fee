import { z } from 'zod';
import type { Status, VerificationEvent } from '../../verification/model';
import { ownEntry, parseResponse, pollEvent, providerWordSchema, requireSetting } from '../common';
import { ProviderFailure } from '../../verification/provider-failure';
import { joinUrl, ProviderCallError, requestJson } from '../http';
import type { RetrievalClient } from '../types';
import type { AttestrKind } from './callback';
import { rawJsonMember } from '../raw-json';
import { resultSignatureMatches } from './signature';
import {
  asyncStatusMeaning,
  HANDSHAKE_MEANINGS,
  HANDSHAKE_STATES,
  PROFILE_MEANINGS,
  PROFILE_STATES,
} from './vocabulary';

export interface AttestrSettings {
  /** Includes the API version, e.g. https://api.attestr.com/api/v2 */
  apiBaseUrl: string;
  /** The app's Authorization token from the dashboard's "Register App", sent as `Basic <token>`. */
  authToken: string;
  /** The app's client secret, which signs flow results; unset: signatures are not checked. */
  clientSecret?: string;
  /** The async outcome's status words → canonical status (`ATTESTR_ASYNC_STATUSES`). */
  asyncStatuses: Record<string, Status>;
  /** `ATTESTR_CONFIRM_OUTCOMES`: an outcome only the webhook token vouches for is confirmed through the API. */
  confirmOutcomes?: boolean;
}

/** Execution Result API: `_id, number, tag, requestId, consumed, archived, result, resultSignature`. */
const handshakeSchema = z.looseObject({
  consumed: z.boolean(),
  archived: z.union([z.number(), z.boolean()]).nullish(),
  result: z.record(z.string(), z.unknown()).nullish(),
  resultSignature: z.string().nullish(),
});
/** Async request outcome: not in the published pages; inferred to carry a `status` word. */
const asyncSchema = z.looseObject({ status: providerWordSchema });
/** Get Profile API; the profile also carries name, email and mobile, which are never read. */
const profileSchema = z.looseObject({
  queries: z.array(z.looseObject({ response: z.unknown().optional() })).nullish(),
});

/**
 * Attestr's retrieval API. Its Authorization token is static (no token endpoint, nothing to
 * cache or refresh), so a 401 is a configuration problem and is not retried. Which endpoint
 * answers depends on the verification's `context.kind`, set by its callbacks or by the app at
 * start; without one it is a hosted flow (handshake).
 */
export function createAttestrRetrievalClient(settings: AttestrSettings): RetrievalClient {
  const request = async (path: string, what: string) => {
    const token = requireSetting(settings.authToken, 'ATTESTR_AUTH_TOKEN', what);
    const url = joinUrl(settings.apiBaseUrl, path);
    // Attestr's pages mark Content-Type as required on every call, GETs included.
    const headers = { Authorization: `Basic ${token}`, 'Content-Type': 'application/json' };
    return requestJson({ what, url, headers });
  };
  const get = async (path: string, what: string): Promise<unknown> => (await request(path, what)).body;

  const handshake = async (reference: string): Promise<VerificationEvent> => {
    const what = 'attestr handshake';
    const response = await request(`/public/flowx/handshake/${encodeURIComponent(reference)}`, what);
    const answer = parseResponse(handshakeSchema, response.body, what);
    const seen = (state: string) =>
      pollEvent('attestr', reference, state, structuredClone(ownEntry(HANDSHAKE_MEANINGS, state)!));
    // Archived: the result is gone, but whether the flow was ever opened still tells a session that
    // ran from one that never started.
    if (answer.archived) return seen(answer.consumed ? HANDSHAKE_STATES.archived : HANDSHAKE_STATES.archivedUnconsumed);
    if (!answer.consumed) return seen(HANDSHAKE_STATES.unconsumed);
    if (!answer.result) return seen(HANDSHAKE_STATES.consumed);
    // Checked over the bytes of `result` as Attestr served them, never a re-serialisation.
    const resultText = rawJsonMember(response.text, ['result']);
    if (
      settings.clientSecret &&
      (resultText === undefined ||
        !resultSignatureMatches(resultText, answer.resultSignature ?? '', settings.clientSecret))
    ) {
      throw new ProviderCallError(ProviderFailure.BadResponse, `${what}: resultSignature does not verify`);
    }
    return seen(HANDSHAKE_STATES.result);
  };

  const asyncRequest = async (reference: string): Promise<VerificationEvent> => {
    const what = 'attestr async outcome';
    const answer = parseResponse(asyncSchema, await get(`/public/async/${encodeURIComponent(reference)}`, what), what);
    return pollEvent('attestr', reference, answer.status, asyncStatusMeaning(settings.asyncStatuses, answer.status));
  };

  const profile = async (reference: string): Promise<VerificationEvent> => {
    const what = 'attestr profile';
    const answer = parseResponse(
      profileSchema,
      await get(`/public/factx/${encodeURIComponent(reference)}`, what),
      what,
    );
    const open = (answer.queries ?? []).some((query) => query.response === undefined || query.response === null);
    const state = open ? PROFILE_STATES.queryOpen : PROFILE_STATES.queriesAnswered;
    return pollEvent('attestr', reference, state, { ...ownEntry(PROFILE_MEANINGS, state) });
  };

  return {
    async retrieve(reference, context): Promise<VerificationEvent> {
      const kind = (context.kind ?? 'flowx') as AttestrKind;
      switch (kind) {
        case 'flowx':
          return handshake(reference);
        case 'async':
          return asyncRequest(reference);
        case 'factx':
          return profile(reference);
        default:
          // The kind may come from the app's start context: not echoed, only refused.
          throw new ProviderCallError(
            ProviderFailure.RequestRejected,
            'attestr retrieval: context kind is not flowx, async or factx',
          );
      }
    },
  };
}
