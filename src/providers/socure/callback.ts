import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { confirmThroughApi, isoTimestamp, parseCallbackBody, providerWordSchema, referenceSchema } from '../common';
import type { CallbackParser, ParsedCallback } from '../types';
import type { SocureResultApi } from './retrieval';
import { isVerdictEvent, socureEventMeaning, socureProviderStatus, socureRiskosMeaning } from './vocabulary';

/** An event ID: becomes part of a dedup key kept in workflow state, so bounded and printable. */
const eventIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const timestampSchema = z.string().max(64);
/**
 * A decision word: any text, kept as sent (an overlong one cut); one we do not
 * know is confirmed through the API, never refused.
 */
const decisionSchema = providerWordSchema;
/** A short machine label (decision model name, RiskOS sub-status): kept only when short and printable. */
const labelSchema = z.string();

/**
 * The seed's AsyncAPI shape ("Socure DocV Webhooks", apis.io). `customerUserId` is the app's
 * own user ID: tolerated, never read.
 */
export const socureDocvEventSchema = z.looseObject({
  eventType: providerWordSchema,
  docvTransactionId: referenceSchema,
  eventTime: timestampSchema,
  decision: decisionSchema.nullish(),
});

/**
 * The legacy DocV webhook as Socure really sends it (login.gov's production integration): an
 * envelope around `event`. The token is spelled `docvTransactionToken` or `docVTransactionToken`;
 * `event.data` carries the document's personal data next to the decision, and only the decision
 * is read. login.gov's own mocks send just `{event:{eventType, docvTransactionToken}}`, so
 * everything else is optional.
 */
export const socureLegacyEventSchema = z.looseObject({
  id: eventIdSchema.nullish(),
  event: z
    .looseObject({
      eventType: providerWordSchema,
      created: timestampSchema.nullish(),
      docvTransactionToken: referenceSchema.nullish(),
      docVTransactionToken: referenceSchema.nullish(),
      data: z
        .looseObject({
          documentVerification: z
            .looseObject({
              decision: z.looseObject({ name: labelSchema.nullish(), value: decisionSchema.nullish() }).nullish(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .refine((event) => event.docvTransactionToken ?? event.docVTransactionToken, {
      message: 'the DocV transaction token is required (docvTransactionToken or docVTransactionToken)',
      path: ['docvTransactionToken'],
    }),
});

/**
 * RiskOS webhooks (help.socure.com, "Webhook events": `{event_id, event_at, event_type, data}`,
 * and "Evaluation webhook payloads share the same structure as Evaluation API responses"). `data.id`
 * is the app's own ID of the evaluation and is not kept, nor is anything else of `data` (a case
 * event's reviewer is an e-mail address); the reference is RiskOS's `eval_id`, which is what the app
 * gets back when it starts the evaluation and what the Evaluation API is asked about. The stage
 * (`eval_status`, or `evaluation_status`) and the case `status` say whether the decision is one.
 */
export const socureRiskosEventSchema = z.looseObject({
  event_id: eventIdSchema.nullish(),
  event_at: timestampSchema.nullish(),
  event_type: providerWordSchema,
  data: z.looseObject({
    eval_id: referenceSchema.nullish(),
    decision: decisionSchema.nullish(),
    status: providerWordSchema.nullish(),
    eval_status: providerWordSchema.nullish(),
    evaluation_status: providerWordSchema.nullish(),
    sub_status: labelSchema.nullish(),
  }),
});

/** Events about one evaluation's outcome; they must name it (`data.eval_id`). */
const EVALUATION_EVENT = /^(evaluation_|decision_update$|case_decision_changed$)/;

/** RiskOS sends every event type to the same endpoint; only evaluation events must name one. */
const evaluationEventSchema = socureRiskosEventSchema.refine(
  (event) => !EVALUATION_EVENT.test(event.event_type) || event.data.eval_id,
  { message: 'evaluation events must carry data.eval_id', path: ['data', 'eval_id'] },
);

export type SocureCallbackShape = 'docv' | 'legacy' | 'riskos';

/** Which of Socure's three shapes a body claims to be, by its distinguishing top-level key. */
export function socureCallbackShape(body: unknown): SocureCallbackShape {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'docv';
  if ('event' in body) return 'legacy';
  if ('event_type' in body || 'event_id' in body) return 'riskos';
  return 'docv';
}

export interface SocureCallbackOptions {
  /** `SOCURE_CONFIRM_VERDICTS`: a verdict in a callback is confirmed through the retrieval API first. */
  confirmVerdicts?: boolean;
}

/**
 * Socure's three callback shapes. Each event names the retrieval API that answers for its
 * verification (`context.socureApi`): the RiskOS envelope is RiskOS's, the legacy DocV envelope
 * is paired with ID+ (as login.gov integrates it); the seed's shape, which no Socure source
 * corroborates, claims nothing and leaves the choice to `SOCURE_RESULT_API`.
 */
export function createSocureCallbackParser(options: SocureCallbackOptions = {}): CallbackParser {
  const checked = (event: VerificationEvent): VerificationEvent =>
    options.confirmVerdicts ? { ...event, meaning: confirmThroughApi(event.meaning) } : event;
  return {
    parse(body: unknown): ParsedCallback {
      switch (socureCallbackShape(body)) {
        case 'legacy':
          return {
            events: [checked(withApi(fromLegacy(parseCallbackBody(socureLegacyEventSchema, body)), 'idplus'))],
            rejected: [],
          };
        case 'riskos': {
          const parsed = fromRiskos(parseCallbackBody(evaluationEventSchema, body));
          const event = parsed && checked(withApi(parsed, 'riskos'));
          // An event about no evaluation (a watchlist or case event) has nothing to route to:
          // answered 200 with nothing accepted, so RiskOS neither retries nor disables the webhook.
          return { events: event ? [event] : [], rejected: [] };
        }
        case 'docv':
          return { events: [checked(fromDocv(parseCallbackBody(socureDocvEventSchema, body)))], rejected: [] };
      }
    },
  };
}

function withApi(event: VerificationEvent, api: SocureResultApi): VerificationEvent {
  return { ...event, context: { socureApi: api } };
}

function fromDocv(callback: z.infer<typeof socureDocvEventSchema>): VerificationEvent {
  // The seed's events carry no ID; the type and the time identify one, and stay the same on redelivery.
  return socureEvent(callback.docvTransactionId, callback.eventType, callback.decision, {
    dedupKey: `callback:${callback.eventType}:${callback.eventTime}`,
    at: callback.eventTime,
  });
}

function fromLegacy(callback: z.infer<typeof socureLegacyEventSchema>): VerificationEvent {
  const event = callback.event;
  const reference = (event.docvTransactionToken ?? event.docVTransactionToken)!;
  const decision = event.data?.documentVerification?.decision;
  return socureEvent(reference, event.eventType, decision?.value, {
    dedupKey: callback.id
      ? `callback:${event.eventType}:${callback.id}`
      : `callback:${event.eventType}:${event.created ?? ''}`,
    at: event.created,
    detail: decision?.name,
  });
}

/** A RiskOS event about an evaluation, read like an Evaluation API answer ({@link socureRiskosMeaning}). */
function fromRiskos(callback: z.infer<typeof socureRiskosEventSchema>): VerificationEvent | undefined {
  const { data } = callback;
  const reference = data.eval_id;
  if (!reference) return undefined;
  const reading = socureRiskosMeaning(
    {
      eventType: callback.event_type,
      evalStatus: data.eval_status ?? data.evaluation_status ?? undefined,
      status: data.status ?? undefined,
      decision: data.decision ?? undefined,
    },
    'callback',
  )!; // defined for every event type: a webhook names its event
  const event: VerificationEvent = {
    provider: 'socure',
    reference,
    providerStatus: socureProviderStatus(reading.word, reading.decision),
    source: 'callback',
    dedupKey: callback.event_id
      ? `callback:${callback.event_type}:${callback.event_id}`
      : `callback:${callback.event_type}:${callback.event_at ?? ''}`,
    meaning: reading.meaning,
  };
  return withTimeAndDetail(event, callback.event_at, data.sub_status);
}

function socureEvent(
  reference: string,
  eventType: string,
  decision: string | null | undefined,
  extra: { dedupKey: string; at: string | null | undefined; detail?: string | null },
): VerificationEvent {
  // Only a verdict event's decision counts.
  const verdict = isVerdictEvent(eventType) ? decision : undefined;
  const event: VerificationEvent = {
    provider: 'socure',
    reference,
    providerStatus: socureProviderStatus(eventType, verdict),
    source: 'callback',
    dedupKey: extra.dedupKey,
    meaning: socureEventMeaning(eventType, verdict),
  };
  return withTimeAndDetail(event, extra.at, extra.detail);
}

/** The provider's time, and a label kept only when it is a short printable one. */
function withTimeAndDetail(
  event: VerificationEvent,
  at: string | null | undefined,
  detail: string | null | undefined,
): VerificationEvent {
  const occurredAt = isoTimestamp(at);
  if (occurredAt) event.occurredAt = occurredAt;
  if (detail && /^[\x20-\x7e]{1,100}$/.test(detail)) event.detail = detail;
  return event;
}
