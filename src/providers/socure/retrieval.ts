import { z } from 'zod';
import type { VerificationEvent } from '../../verification/model';
import { isoTimestamp, parseResponse, pollEvent, providerWordSchema, requireSetting } from '../common';
import { ProviderFailure } from '../../verification/provider-failure';
import { joinUrl, ProviderCallError, requestJson } from '../http';
import type { RetrievalClient } from '../types';
import { socureProviderStatus, socureResultMeaning, socureRiskosMeaning } from './vocabulary';

/** Which Socure API answers "what became of this verification" (`SOCURE_RESULT_API`). */
export const SOCURE_RESULT_APIS = ['idplus', 'riskos', 'docv'] as const;
export type SocureResultApi = (typeof SOCURE_RESULT_APIS)[number];

export interface SocureSettings {
  /** The host of the configured flavour (`SOCURE_API_BASE_URL`). */
  apiBaseUrl: string;
  /** Each flavour's host, for verifications whose callbacks named another flavour; absent: `apiBaseUrl`. */
  apiBaseUrls?: Partial<Record<SocureResultApi, string>>;
  /** The flavour asked when the verification names none (`SOCURE_RESULT_API`). */
  resultApi: SocureResultApi;
  /** The account's API key: `SocureApiKey <key>` on ID+ (legacy), `Bearer <key>` on RiskOS. */
  apiKey: string;
  /** `SOCURE_CONFIRM_VERDICTS`: a verdict from a callback is confirmed through the retrieval API first. */
  confirmVerdicts?: boolean;
}

/** Words are any text: one we do not know (or cannot print) is an unknown word, never a broken answer. */
const decisionWordSchema = providerWordSchema.nullish();

/** ID+ `EmailAuthScore` with the documentverification module (login.gov's DocvResultResponse paths). */
const idplusResultSchema = z.looseObject({
  documentVerification: z
    .looseObject({
      decision: z.looseObject({ name: z.string().nullish(), value: decisionWordSchema }).nullish(),
    })
    .nullish(),
});

/**
 * RiskOS Evaluation API (help.socure.com: "Handle Results", Evaluation API reference). Its own
 * names differ from the webhook's `data`: the stage is `eval_status` (the webhook says
 * `evaluation_status`, also read), and the verdict is timed by `decision_at`.
 */
const riskosEvaluationSchema = z.looseObject({
  eval_id: z.string().max(200).nullish(),
  decision: decisionWordSchema,
  decision_at: z.string().max(64).nullish(),
  status: providerWordSchema.nullish(),
  sub_status: z.string().nullish(),
  eval_status: providerWordSchema.nullish(),
  evaluation_status: providerWordSchema.nullish(),
});

/** The seed's "Get A DocV Transaction": its response is not documented anywhere we found (inferred). */
const docvTransactionSchema = z.looseObject({
  docvTransactionId: z.string().max(200).nullish(),
  status: providerWordSchema.nullish(),
  eventType: providerWordSchema.nullish(),
  decision: decisionWordSchema,
  documentVerification: idplusResultSchema.shape.documentVerification,
});

/**
 * Socure's retrieval API in the configured flavour. Socure authenticates with a static API key,
 * not issued tokens: there is nothing to cache or refresh, so a 401 is a wrong or revoked key and
 * stays a permanent AuthRejected instead of being retried.
 */
export function createSocureRetrievalClient(settings: SocureSettings): RetrievalClient {
  const base = (api: SocureResultApi) => settings.apiBaseUrls?.[api] ?? settings.apiBaseUrl;
  const fetchers: Record<SocureResultApi, (reference: string, apiKey: string) => Promise<VerificationEvent>> = {
    idplus: (reference, apiKey) => fetchIdPlus(base('idplus'), reference, apiKey),
    riskos: (reference, apiKey) => fetchRiskos(base('riskos'), reference, apiKey),
    docv: (reference, apiKey) => fetchDocv(base('docv'), reference, apiKey),
  };
  return {
    async retrieve(reference, context): Promise<VerificationEvent> {
      const api = flavourOf(context, settings.resultApi);
      const apiKey = requireSetting(settings.apiKey, 'SOCURE_API_KEY', `socure ${api}`);
      return fetchers[api](reference, apiKey);
    },
  };
}

/**
 * The API that answers for this verification: the flavour its callbacks (or the app's start)
 * named, so a RiskOS evaluation is never asked about on ID+; else `SOCURE_RESULT_API`.
 */
function flavourOf(context: Record<string, string>, fallback: SocureResultApi): SocureResultApi {
  const named = context.socureApi;
  if (named === undefined) return fallback;
  if (!(SOCURE_RESULT_APIS as readonly string[]).includes(named)) {
    // It may come from the app's start context: refused, not echoed.
    throw new ProviderCallError(
      ProviderFailure.RequestRejected,
      `socure retrieval: context socureApi is not one of ${SOCURE_RESULT_APIS.join(', ')}`,
    );
  }
  return named as SocureResultApi;
}

/**
 * Legacy ID+: the DocV result is a `documentverification` module call for the transaction token.
 * It has no progress stages; before the verdict it answers without a decision.
 */
async function fetchIdPlus(base: string, token: string, apiKey: string): Promise<VerificationEvent> {
  const what = 'socure idplus result';
  const response = await requestJson({
    what,
    method: 'POST',
    url: joinUrl(base, '/api/3.0/EmailAuthScore'),
    headers: { Authorization: `SocureApiKey ${apiKey}` },
    json: { modules: ['documentverification'], docvTransactionToken: token },
  });
  const result = parseResponse(idplusResultSchema, response.body, what);
  const decision = result.documentVerification?.decision;
  if (!decision?.value) return pollEvent('socure', token, 'NO_DECISION', { informational: true });
  const event = pollEvent(
    'socure',
    token,
    socureProviderStatus('VERIFICATION_COMPLETED', decision.value),
    socureResultMeaning(undefined, decision.value),
  );
  return withDetail(event, decision.name);
}

/**
 * RiskOS: the evaluation, by `eval_id`, read like its webhooks ({@link socureRiskosMeaning}): the
 * stage (`eval_status`, or `evaluation_status`; without either, the case status), and the decision
 * only at a verdict stage of an evaluation that is not on hold.
 */
async function fetchRiskos(base: string, evalId: string, apiKey: string): Promise<VerificationEvent> {
  const what = 'socure riskos evaluation';
  const response = await requestJson({
    what,
    url: joinUrl(base, `/api/evaluation/${encodeURIComponent(evalId)}`),
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  const evaluation = parseResponse(riskosEvaluationSchema, response.body, what);
  sameReference(evaluation.eval_id, evalId, what);
  const reading = socureRiskosMeaning(
    {
      evalStatus: evaluation.eval_status ?? evaluation.evaluation_status ?? undefined,
      status: evaluation.status ?? undefined,
      decision: evaluation.decision ?? undefined,
    },
    'poll',
  );
  if (!reading) throw new ProviderCallError(ProviderFailure.BadResponse, `${what}: no evaluation_status or status`);
  const event = pollEvent('socure', evalId, socureProviderStatus(reading.word, reading.decision), reading.meaning);
  const decidedAt = reading.decision ? isoTimestamp(evaluation.decision_at) : undefined;
  if (decidedAt) event.occurredAt = decidedAt;
  return withDetail(event, evaluation.sub_status);
}

/** The seed's DocV transaction, by `docvTransactionId`: a stage word and, once done, the decision. */
async function fetchDocv(base: string, transactionId: string, apiKey: string): Promise<VerificationEvent> {
  const what = 'socure docv transaction';
  const response = await requestJson({
    what,
    url: joinUrl(base, `/api/3.0/documents/${encodeURIComponent(transactionId)}`),
    headers: { Authorization: `SocureApiKey ${apiKey}` },
  });
  const transaction = parseResponse(docvTransactionSchema, response.body, what);
  sameReference(transaction.docvTransactionId, transactionId, what);
  const decision = transaction.decision ?? transaction.documentVerification?.decision?.value;
  const stage = transaction.status ?? transaction.eventType ?? (decision ? 'VERIFICATION_COMPLETED' : undefined);
  if (!stage) return pollEvent('socure', transactionId, 'NO_DECISION', { informational: true });
  const verdict = stage === 'VERIFICATION_COMPLETED' ? decision : undefined;
  return pollEvent('socure', transactionId, socureProviderStatus(stage, verdict), socureResultMeaning(stage, verdict));
}

/** An answer about another transaction must never decide this one. */
function sameReference(answered: string | null | undefined, asked: string, what: string): void {
  if (answered && answered !== asked) {
    throw new ProviderCallError(ProviderFailure.BadResponse, `${what}: the answer is about another transaction`);
  }
}

function withDetail(event: VerificationEvent, label: string | null | undefined): VerificationEvent {
  if (label && /^[\x20-\x7e]{1,100}$/.test(label)) event.detail = label;
  return event;
}
