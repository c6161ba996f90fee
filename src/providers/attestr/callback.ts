import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import {
  boundedArray,
  claimThroughApi,
  isoTimestamp,
  parseCallbackBody,
  providerWordSchema,
  referenceSchema,
} from '../common';
import { CallbackAuthenticationError, type CallbackParser, type ParsedCallback } from '../types';
import { rawJsonMember } from '../raw-json';
import { resultSignatureMatches } from './signature';
import { attestrEventMeaning } from './vocabulary';

/** Which retrieval endpoint answers for a verification; kept in the verification's context. */
export type AttestrKind = 'flowx' | 'async' | 'factx';

/** Epoch milliseconds as documented; an ISO string is tolerated, anything unreadable just has no time. */
const timestampSchema = z.union([z.number(), z.string().max(64)]).nullish();

/**
 * Only the fields we use are validated: an event is sent once, so refusing it over a field we
 * ignore (tag, number, requestId, flowId, snapshot, …) would lose it. `result` holds the
 * customer's personal data; it is read for the signature check and never kept.
 */
const flowxPayloadSchema = z.looseObject({
  /** The handshake ID: the verification's reference. */
  _id: referenceSchema,
  result: z.unknown().nullish(),
  resultSignature: z.string().max(1024).nullish(),
  updated: timestampSchema,
});

/** async.* payloads are not published; inferred to be keyed by the async request `_id`. */
const asyncPayloadSchema = z.looseObject({
  _id: referenceSchema,
  result: z.unknown().optional(),
  resultSignature: z.string().max(1024).nullish(),
  updated: timestampSchema,
});

/**
 * factx.query (docs.attestr.com, "Collect Additional Data API"): `_id` is the query's own ID,
 * new for every follow-up, so the reference is the background-check `profile` the query is
 * posted on. Query texts may quote personal data and are never read.
 */
const factxQueryPayloadSchema = z.looseObject({
  _id: referenceSchema,
  profile: referenceSchema,
  queries: boundedArray(z.looseObject({ created: timestampSchema }), 1000).nullish(),
});

/** Any other event: only an ID is needed to record it. */
const otherPayloadSchema = z.looseObject({
  _id: referenceSchema,
  profile: referenceSchema.optional(),
  updated: timestampSchema,
});

// The event name is any word: one we do not know is an unknown word, never a refused (and lost) event.
const envelope = <P extends z.ZodType>(payload: P) => z.looseObject({ event: providerWordSchema, payload });
const envelopeSchema = envelope(z.looseObject({}));

export interface AttestrCallbackOptions {
  /** The app's client secret; when set, a callback's `resultSignature` must verify. */
  clientSecret?: string;
  /**
   * `ATTESTR_CONFIRM_OUTCOMES`: an outcome that only the static webhook token vouches for (every
   * flowx/async event but a flowx.completed whose signed result verified) is a claim, confirmed
   * through the retrieval API before it ends a verification.
   */
  confirmOutcomes?: boolean;
}

/**
 * Attestr's webhook: `{event, payload}` for flow (flowx.*), async API (async.*) and background
 * check (factx.*) events. Unknown event names are accepted as unknown words.
 */
export function createAttestrCallbackParser(options: AttestrCallbackOptions = {}): CallbackParser {
  return {
    parse(body: unknown, _receivedAt: string, rawBody?: string): ParsedCallback {
      const { event } = parseCallbackBody(envelopeSchema, body);
      const family = event.split('.')[0];
      if (family === 'flowx' || family === 'async') {
        const { payload } = parseCallbackBody(
          envelope(family === 'flowx' ? flowxPayloadSchema : asyncPayloadSchema),
          body,
        );
        const signed = verifySignature(event, payload, options.clientSecret, rawBody);
        const parsed = base(event, payload._id, family);
        // The signature covers the result, not the event name: only a signed completion is trusted as it stands.
        const trusted = signed && event === 'flowx.completed';
        return single({
          ...parsed,
          ...(options.confirmOutcomes && !trusted ? { meaning: claimThroughApi(parsed.meaning) } : {}),
          // Each flowx/async event happens once per handshake or request: a redelivery has the same key.
          dedupKey: `callback:${event}`,
          ...timed(payload.updated),
        });
      }
      if (event === 'factx.query') {
        const { payload } = parseCallbackBody(envelope(factxQueryPayloadSchema), body);
        return single({
          ...base(event, payload.profile, 'factx'),
          // A profile can receive many queries; each query ID is one event.
          dedupKey: `callback:${event}:${payload._id}`,
          // The app answers with PUT /public/factx/{profile}/query/{queryId}; the ID is not personal.
          detail: `query:${payload._id}`,
          ...timed(latest((payload.queries ?? []).map((query) => query.created))),
        });
      }
      const { payload } = parseCallbackBody(envelope(otherPayloadSchema), body);
      const kind = family === 'factx' ? 'factx' : undefined;
      return single({
        ...base(event, (kind && payload.profile) || payload._id, kind),
        dedupKey: `callback:${event}:${payload._id}`,
        ...timed(payload.updated),
      });
    },
  };
}

function base(event: string, reference: string, kind: AttestrKind | undefined) {
  return {
    provider: 'attestr' as const,
    reference,
    providerStatus: event,
    source: 'callback' as const,
    meaning: attestrEventMeaning(event),
    ...(kind ? { context: { kind } } : {}),
  };
}

function timed(value: string | number | null | undefined): { occurredAt?: string } {
  const occurredAt = isoTimestamp(value);
  return occurredAt ? { occurredAt } : {};
}

function latest(values: (string | number | null | undefined)[]): string | undefined {
  const times = values.map((value) => isoTimestamp(value)).filter((at): at is string => at !== undefined);
  return times.sort().at(-1);
}

function single(event: VerificationEvent): ParsedCallback {
  return { events: [event], rejected: [] };
}

/**
 * The signature is checked only when the client secret is configured (without it there is
 * nothing to check against; the webhook token still authenticates the call; production requires
 * it). With it, an event that carries a result (any flowx or async event) must carry its
 * `resultSignature`, and it must verify ("`resultSignature`: hmacHexDigest of result object and
 * client secret"); a flowx.completed must carry a signed result: a forged completion could
 * otherwise simply leave both out. An event without a result is accepted unsigned (its outcome is
 * then only claimed). Returns whether a signed result verified.
 */
function verifySignature(
  event: string,
  payload: { result?: unknown; resultSignature?: string | null },
  clientSecret: string | undefined,
  rawBody: string | undefined,
): boolean {
  if (!clientSecret) return false;
  const hasResult = payload.result !== undefined && payload.result !== null;
  if (!hasResult && !payload.resultSignature && event !== 'flowx.completed') return false;
  if (payload.result === undefined || payload.result === null || !payload.resultSignature) {
    throw new CallbackAuthenticationError(`attestr ${event}: signed result missing`);
  }
  // The bytes Attestr signed; only a caller without the raw body (a test, a replay of parsed
  // data) falls back to a re-serialisation.
  const resultText =
    rawBody === undefined ? JSON.stringify(payload.result) : rawJsonMember(rawBody, ['payload', 'result']);
  if (resultText === undefined || !resultSignatureMatches(resultText, payload.resultSignature, clientSecret)) {
    throw new CallbackAuthenticationError(`attestr ${event}: resultSignature does not verify`);
  }
  return true;
}
