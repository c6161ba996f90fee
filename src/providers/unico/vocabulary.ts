import { z } from 'zod';
import { STATUSES, type CanonicalMeaning, type Decision } from '../../verification/model';
import { ownEntry, providerStatusSchema, unknownWord } from '../common';
import type { UnicoCapability, UnicoFlowReading } from './flows';

/**
 * Unico IDCloud's vocabulary in canonical terms: the one place it is mapped (the README's status mapping
 * says the same). Unico speaks three vocabularies that must not be mixed up:
 *
 * - the webhook's `state` (`PROCESS_STATE_*`) and its lowercase `result` (`ok`, `expired`,
 *   `invalid_identity`): an announcement that a process finished, never a verdict;
 * - GetProcess's `state` and `result` (`PROCESS_RESULT_*`): the verdict, read state first;
 * - the webhook's `lastEvent` (`EVENT_TYPE_*`): a set Unico says will grow, so its meaning is
 *   configuration (`UNICO_EVENTS`, `UNICO_EVENTS_FILE`) over {@link DEFAULT_UNICO_EVENTS}.
 */

export const PROCESS_STATE = {
  CREATED: 'PROCESS_STATE_CREATED',
  FINISHED: 'PROCESS_STATE_FINISHED',
  FAILED: 'PROCESS_STATE_FAILED',
} as const;

export const PROCESS_RESULT = {
  OK: 'PROCESS_RESULT_OK',
  INVALID_IDENTITY: 'PROCESS_RESULT_INVALID_IDENTITY',
  EXPIRED: 'PROCESS_RESULT_EXPIRED',
  ERROR: 'PROCESS_RESULT_ERROR',
  UNSPECIFIED: 'PROCESS_RESULT_UNSPECIFIED',
} as const;

/**
 * The webhook's `state`. Unico notifies only PROCESS_STATE_FINISHED today, and its coarse
 * `result` must be confirmed with GetProcess, so a finished (or failed) process is an
 * announcement. CREATED is listed for the day Unico lets more states be notified.
 */
export const UNICO_WEBHOOK_STATE: Readonly<Record<string, CanonicalMeaning>> = Object.freeze({
  [PROCESS_STATE.CREATED]: { status: 'PENDING' },
  [PROCESS_STATE.FINISHED]: { status: 'SUBMITTED', retrieve: true },
  [PROCESS_STATE.FAILED]: { status: 'SUBMITTED', retrieve: true },
});

export function unicoWebhookStateMeaning(state: string): CanonicalMeaning {
  const meaning = ownEntry(UNICO_WEBHOOK_STATE, state);
  return meaning ? { ...meaning } : unknownWord('status', state);
}

/**
 * GetProcess's `authenticationInfo`: the capabilities' sub-results behind a PROCESS_RESULT_OK or
 * INVALID_IDENTITY. Unico returns every field whatever the flow; a capability the flow does not
 * use answers UNSPECIFIED. Only these fields are read (the rest may identify the person).
 */
export interface UnicoAuthenticationInfo {
  authenticationResult?: string | null;
  livenessResult?: string | null;
  identityFraudstersResult?: string | null;
  faceWithOtherIdResult?: string | null;
  scoreEngineResult?: { scoreEnabled?: string | null; score?: number | null } | null;
}

/** A sub-result without its enum prefix (`AUTHENTICATION_RESULT_INCONCLUSIVE` → `INCONCLUSIVE`); absent: UNSPECIFIED. */
function subResult(value: string | null | undefined, ...prefixes: string[]): string {
  if (!value) return 'UNSPECIFIED';
  const word = value.toUpperCase();
  const prefix = prefixes.find((candidate) => word.startsWith(candidate));
  return prefix ? word.slice(prefix.length) : word;
}

/**
 * The fraudster base's words come in two spellings: `IDENTITY_FRAUDSTERS_RESULT_*` and GetProcess's
 * `TRUST_RESULT_*` (Unico's example: `"identityFraudstersResult": "TRUST_RESULT_UNSPECIFIED"`).
 */
const FRAUDSTER_PREFIXES = ['IDENTITY_FRAUDSTERS_RESULT_', 'TRUST_RESULT_'];

/** A hit in the fraudster base: YES in Unico's decision table, SUSPICIOUS in the older spelling. */
const FRAUDSTER_HITS = ['YES', 'SUSPICIOUS'];
const FRAUDSTER_CLEAR = ['NO', 'INCONCLUSIVE', 'UNSPECIFIED'];

/**
 * The fraudster base on one answer: a hit (in either field: the identity's fraud history, or this
 * face seen with another ID), none, or a word we do not know (kept raw).
 */
function fraudsterReading(info: UnicoAuthenticationInfo): 'hit' | 'none' | { unknown: string } {
  let reading: 'hit' | 'none' | { unknown: string } = 'none';
  for (const value of [info.identityFraudstersResult, info.faceWithOtherIdResult]) {
    const word = subResult(value, ...FRAUDSTER_PREFIXES);
    if (FRAUDSTER_HITS.includes(word)) return 'hit';
    if (!FRAUDSTER_CLEAR.includes(word) && reading === 'none') reading = { unknown: value! };
  }
  return reading;
}

/**
 * The sub-results the flow used, as a short label for the timeline: the flow, enum words and a
 * score, nothing personal (`flow:idlive liveness:LIVE`).
 */
export function unicoAuthenticationLabel(
  info: UnicoAuthenticationInfo | undefined,
  flow: UnicoFlowReading = { kind: 'unnamed' },
): string | undefined {
  if (!info) return undefined;
  const uses = usesOf(flow);
  const parts = flow.kind === 'unnamed' ? [] : [`flow:${flow.name}`];
  if (uses('liveness')) parts.push(`liveness:${subResult(info.livenessResult, 'LIVENESS_RESULT_')}`);
  if (uses('authentication')) parts.push(`auth:${subResult(info.authenticationResult, 'AUTHENTICATION_RESULT_')}`);
  // The fraudster base when the flow uses it, and a hit whatever the flow (it is read either way).
  const fraud = uses('fraudsters') || fraudsterReading(info) === 'hit';
  if (fraud && info.identityFraudstersResult) {
    parts.push(`fraudsters:${subResult(info.identityFraudstersResult, ...FRAUDSTER_PREFIXES)}`);
  }
  if (fraud && info.faceWithOtherIdResult) {
    parts.push(`otherId:${subResult(info.faceWithOtherIdResult, ...FRAUDSTER_PREFIXES)}`);
  }
  const score = uses('score') ? riskScore(info) : undefined;
  if (score !== undefined) parts.push(`score:${score}`);
  return parts.join(' ').slice(0, 200) || undefined;
}

/** Whether the verdict reads a capability: only a known flow's; every one when the flow is not known. */
function usesOf(flow: UnicoFlowReading): (capability: UnicoCapability) => boolean {
  return (capability) => flow.kind !== 'known' || flow.uses.has(capability);
}

/** The risk score, only when the score engine ran (a disabled engine answers score 0, which means nothing). */
function riskScore(info: UnicoAuthenticationInfo): number | undefined {
  const engine = info.scoreEngineResult;
  if (!engine || subResult(engine.scoreEnabled, 'SCORE_ENABLED_') !== 'TRUE') return undefined;
  return typeof engine.score === 'number' && Number.isFinite(engine.score) ? engine.score : undefined;
}

function verdict(decision: Decision): CanonicalMeaning {
  return { status: 'COMPLETED', decision };
}

/**
 * The verdict behind PROCESS_RESULT_OK, as Unico's decision table for the by-Unico API
 * ("Response Scenarios", devcenter.unico.io) suggests, read only for the capabilities the flow
 * used: Approve when nothing the flow checked speaks against Unico's own OK; Retry (RESUBMIT)
 * where a used capability failed to answer (UNSPECIFIED); Reprove (REJECTED) on a liveness
 * refusal, a negative authentication, or an inconclusive one that the fraudster base or the risk
 * score speaks against. A fraudster hit is never APPROVED, whatever the flow. A sub-result word
 * Unico adds later is an unknown word (`unknown_sub_result`). When the flow is unknown, UNSPECIFIED
 * may mean "not used": unless something negative decides, a human looks (`unknown_flow`).
 */
function okVerdict(info: UnicoAuthenticationInfo | undefined, flow: UnicoFlowReading): CanonicalMeaning {
  // "Unspecified because not used" is not a failure: with no sub-results at all, nothing contradicts OK.
  if (!info) return verdict('APPROVED');
  const uses = usesOf(flow);
  // UNSPECIFIED is "Retry" only for a capability the flow is known to use.
  const unsure = flow.kind === 'unknown';
  let ambiguous = false;
  if (uses('liveness')) {
    const liveness = subResult(info.livenessResult, 'LIVENESS_RESULT_');
    if (liveness === 'NOT_LIVE') return verdict('REJECTED');
    if (liveness === 'UNSPECIFIED') {
      // "Error processing the Liveness Detection response": Retry.
      if (!unsure) return verdict('RESUBMIT');
      ambiguous = true;
    } else if (liveness !== 'LIVE') return unknownWord('sub_result', info.livenessResult!);
  }
  // A hit counts whatever the flow: an unused capability answers UNSPECIFIED, never YES.
  const fraud = fraudsterReading(info);
  const fraudsters = uses('fraudsters') || fraud === 'hit' ? fraud : 'none';
  if (uses('authentication')) {
    const authentication = subResult(info.authenticationResult, 'AUTHENTICATION_RESULT_');
    switch (authentication) {
      case 'POSITIVE':
        break;
      case 'NEGATIVE':
        return verdict('REJECTED');
      case 'UNSPECIFIED':
        // "Error processing the Identity Verification response": Retry.
        if (!unsure) return verdict('RESUBMIT');
        ambiguous = true;
        break;
      case 'INCONCLUSIVE': {
        if (typeof fraudsters === 'object') return unknownWord('sub_result', fraudsters.unknown);
        // "Reprove" (score<0 or no score: "Reprove, or decide on the score").
        if (fraudsters === 'hit') return verdict('REJECTED');
        const score = uses('score') ? riskScore(info) : undefined;
        if (score !== undefined && score < 0) return verdict('REJECTED');
        // "Possible error in the CPF": Retry.
        if (score === 0) return verdict('RESUBMIT');
        return verdict('REVIEW');
      }
      default:
        return unknownWord('sub_result', info.authenticationResult!);
    }
  }
  if (typeof fraudsters === 'object') return unknownWord('sub_result', fraudsters.unknown);
  // Unico's table has no row for a positive face with a fraud history: a human looks.
  if (fraudsters === 'hit') return verdict('REVIEW');
  if (ambiguous && flow.kind === 'unknown') return unknownWord('flow', flow.name);
  return verdict('APPROVED');
}

/**
 * INVALID_IDENTITY is Reprove, except the table's Retry row (live, authentication UNSPECIFIED: a
 * risk-score error), which only a flow that uses authentication can reach; for an unknown flow that
 * UNSPECIFIED may mean "not used", so a human looks.
 */
function invalidIdentityVerdict(info: UnicoAuthenticationInfo | undefined, flow: UnicoFlowReading): CanonicalMeaning {
  const uses = usesOf(flow);
  const live = subResult(info?.livenessResult, 'LIVENESS_RESULT_') === 'LIVE';
  const unspecified = subResult(info?.authenticationResult, 'AUTHENTICATION_RESULT_') === 'UNSPECIFIED';
  if (!(info && live && unspecified && uses('liveness') && uses('authentication'))) return verdict('REJECTED');
  return flow.kind === 'unknown' ? unknownWord('flow', flow.name) : verdict('RESUBMIT');
}

/**
 * What GetProcess says, in canonical terms; `undefined` while Unico has finished the process but
 * not yet published its result (UNSPECIFIED), which the retrieval treats as "not ready". The flow
 * decides which sub-results count ({@link unicoFlowOf}); without one, all of them do.
 */
export function unicoProcessMeaning(
  state: string,
  result: string | undefined,
  authenticationInfo?: UnicoAuthenticationInfo,
  flow: UnicoFlowReading = { kind: 'unnamed' },
): CanonicalMeaning | undefined {
  switch (state) {
    case PROCESS_STATE.CREATED:
      return { status: 'PENDING' };
    case PROCESS_STATE.FAILED:
      return { status: 'FAILED' };
    case PROCESS_STATE.FINISHED:
      switch (result) {
        case PROCESS_RESULT.OK:
          return okVerdict(authenticationInfo, flow);
        case PROCESS_RESULT.INVALID_IDENTITY:
          return invalidIdentityVerdict(authenticationInfo, flow);
        case PROCESS_RESULT.EXPIRED:
          return { status: 'EXPIRED' };
        case PROCESS_RESULT.ERROR:
          return { status: 'FAILED' };
        case PROCESS_RESULT.UNSPECIFIED:
        case undefined:
          return undefined;
        default:
          // A result word Unico added after this table: never guessed, and a human is told.
          return unknownWord('result', result);
      }
    default:
      return unknownWord('status', state);
  }
}

/** How the workflow reacts to one `lastEvent`: a status to move to and/or "fetch the result now". */
export type UnicoEventMeaning = Pick<CanonicalMeaning, 'status' | 'retrieve'>;
export type UnicoEventTable = Record<string, UnicoEventMeaning>;

/**
 * The shipped reaction to each documented `lastEvent`. Unico sends `lastEvent` with an expired
 * process; a session that ended may also mean the user started a new one, so it is confirmed
 * with GetProcess rather than read as a verdict.
 */
export const DEFAULT_UNICO_EVENTS: Readonly<UnicoEventTable> = Object.freeze({
  EVENT_TYPE_PROCESS_CREATED: { status: 'PENDING' },
  EVENT_TYPE_QR_CODE_READ: { status: 'IN_PROGRESS' },
  EVENT_TYPE_PROCESS_STARTED_BY_USER: { status: 'IN_PROGRESS' },
  EVENT_TYPE_IDENTITY_VALIDATION_STEP_FINISHED: { status: 'IN_PROGRESS' },
  EVENT_TYPE_DOCUMENT_STEP_STARTED: { status: 'IN_PROGRESS' },
  EVENT_TYPE_DOCUMENT_PHOTO_CAPTURED: { status: 'IN_PROGRESS' },
  EVENT_TYPE_DOCUMENT_UPLOADED_FROM_GALLERY: { status: 'IN_PROGRESS' },
  EVENT_TYPE_DOCUMENT_STEP_FINISHED: { status: 'IN_PROGRESS' },
  EVENT_TYPE_SESSION_ENDED: { status: 'IN_PROGRESS', retrieve: true },
  // The user can retry the document step; the process is not over.
  EVENT_TYPE_ERROR_ON_DOCUMENT_STEP: { status: 'IN_PROGRESS' },
});

/**
 * One entry of `UNICO_EVENTS` / `UNICO_EVENTS_FILE`. Strict, so a typo (`"staus"`) stops start-up
 * instead of silently meaning nothing. COMPLETED is refused: only GetProcess gives a verdict, so an
 * event that means "done" says `"retrieve": true`.
 */
const eventMeaningSchema = z
  .strictObject({
    status: z.enum(STATUSES).optional(),
    retrieve: z.boolean().optional(),
  })
  .refine((meaning) => meaning.status !== 'COMPLETED', {
    message: 'COMPLETED needs a decision only GetProcess gives; use "retrieve": true',
    path: ['status'],
  });

export const unicoEventTableSchema = z.record(providerStatusSchema, eventMeaningSchema);

/**
 * A `lastEvent` by the table. Unico says its set of events will grow and calls their meaning
 * configuration, so one the table does not list is recorded with attention `unknown_event` and
 * moves nothing (the webhook's `state` still announces a finished process); an entry `{}` is a
 * known event that deliberately moves nothing.
 */
export function unicoEventMeaning(table: UnicoEventTable, lastEvent: string): CanonicalMeaning {
  const meaning = ownEntry(table, lastEvent);
  if (!meaning) return { informational: true, attention: 'unknown_event', unknownWord: lastEvent };
  return meaning.status === undefined && !meaning.retrieve ? { informational: true } : { ...meaning };
}
