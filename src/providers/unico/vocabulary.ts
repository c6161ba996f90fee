import { z } from 'zod';
import { STATUSES, type CanonicalMeaning, type Decision } from '../../verification/model';
import { ownEntry, providerStatusSchema } from '../common';

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
  return meaning ? { ...meaning } : {};
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
  scoreEngineResult?: { scoreEnabled?: string | null; score?: number | null } | null;
}

/** A sub-result without its enum prefix (`AUTHENTICATION_RESULT_INCONCLUSIVE` → `INCONCLUSIVE`); absent: UNSPECIFIED. */
function subResult(value: string | null | undefined, prefix: string): string {
  if (!value) return 'UNSPECIFIED';
  const word = value.toUpperCase();
  return word.startsWith(prefix) ? word.slice(prefix.length) : word;
}

/** The sub-results as a short label for the timeline: enum words and a score, nothing personal. */
export function unicoAuthenticationLabel(info: UnicoAuthenticationInfo | undefined): string | undefined {
  if (!info) return undefined;
  const parts = [
    `liveness:${subResult(info.livenessResult, 'LIVENESS_RESULT_')}`,
    `auth:${subResult(info.authenticationResult, 'AUTHENTICATION_RESULT_')}`,
  ];
  if (info.identityFraudstersResult) {
    parts.push(`fraudsters:${subResult(info.identityFraudstersResult, 'IDENTITY_FRAUDSTERS_RESULT_')}`);
  }
  const score = riskScore(info);
  if (score !== undefined) parts.push(`score:${score}`);
  return parts.join(' ').slice(0, 200);
}

/** The risk score, only when the score engine ran (a disabled engine answers score 0, which means nothing). */
function riskScore(info: UnicoAuthenticationInfo): number | undefined {
  const engine = info.scoreEngineResult;
  if (!engine || subResult(engine.scoreEnabled, 'SCORE_ENABLED_') !== 'TRUE') return undefined;
  return typeof engine.score === 'number' && Number.isFinite(engine.score) ? engine.score : undefined;
}

/**
 * The verdict behind PROCESS_RESULT_OK, as Unico's decision table for the by-Unico API
 * ("Response Scenarios", devcenter.unico.io) suggests: Approve only when the face is live and
 * belongs to the CPF holder; Retry (RESUBMIT) where a capability failed to answer; Reprove
 * (REJECTED) on a liveness refusal, a negative authentication, or an inconclusive one that the
 * fraudster base or the risk score speaks against. Anything the table does not settle is REVIEW:
 * short of a clear positive, nothing is APPROVED.
 */
function okVerdict(info: UnicoAuthenticationInfo | undefined): CanonicalMeaning {
  const liveness = subResult(info?.livenessResult, 'LIVENESS_RESULT_');
  const authentication = subResult(info?.authenticationResult, 'AUTHENTICATION_RESULT_');
  const fraudsters = subResult(info?.identityFraudstersResult, 'IDENTITY_FRAUDSTERS_RESULT_');
  const score = info ? riskScore(info) : undefined;
  const verdict = (decision: Decision, attention?: string): CanonicalMeaning => ({
    status: 'COMPLETED',
    decision,
    ...(attention ? { attention } : {}),
  });
  if (liveness === 'NOT_LIVE') return verdict('REJECTED');
  // "Error processing the Liveness Detection response": Retry.
  if (liveness !== 'LIVE') return verdict('RESUBMIT');
  switch (authentication) {
    case 'POSITIVE':
      // Unico's table has no row for a positive face with a fraud history: a human looks.
      return fraudsters === 'YES' || fraudsters === 'SUSPICIOUS' ? verdict('REVIEW') : verdict('APPROVED');
    case 'NEGATIVE':
      return verdict('REJECTED');
    case 'UNSPECIFIED':
      // "Error processing the Identity Verification response": Retry.
      return verdict('RESUBMIT');
    case 'INCONCLUSIVE':
      // "Reprove" (score<0 or no score: "Reprove, or decide on the score").
      if (fraudsters === 'YES') return verdict('REJECTED');
      if (score !== undefined && score < 0) return verdict('REJECTED');
      // "Possible error in the CPF": Retry.
      if (score === 0) return verdict('RESUBMIT');
      return verdict('REVIEW');
    default:
      return verdict('REVIEW', 'unknown_authentication_result');
  }
}

/** INVALID_IDENTITY is Reprove, except the table's Retry row (live, authentication UNSPECIFIED: a risk-score error). */
function invalidIdentityVerdict(info: UnicoAuthenticationInfo | undefined): CanonicalMeaning {
  const liveness = subResult(info?.livenessResult, 'LIVENESS_RESULT_');
  const authentication = subResult(info?.authenticationResult, 'AUTHENTICATION_RESULT_');
  if (liveness === 'LIVE' && authentication === 'UNSPECIFIED') return { status: 'COMPLETED', decision: 'RESUBMIT' };
  return { status: 'COMPLETED', decision: 'REJECTED' };
}

/**
 * What GetProcess says, in canonical terms; `undefined` while Unico has finished the process but
 * not yet published its result (UNSPECIFIED), which the retrieval treats as "not ready".
 */
export function unicoProcessMeaning(
  state: string,
  result: string | undefined,
  authenticationInfo?: UnicoAuthenticationInfo,
): CanonicalMeaning | undefined {
  switch (state) {
    case PROCESS_STATE.CREATED:
      return { status: 'PENDING' };
    case PROCESS_STATE.FAILED:
      return { status: 'FAILED' };
    case PROCESS_STATE.FINISHED:
      switch (result) {
        case PROCESS_RESULT.OK:
          return okVerdict(authenticationInfo);
        case PROCESS_RESULT.INVALID_IDENTITY:
          return invalidIdentityVerdict(authenticationInfo);
        case PROCESS_RESULT.EXPIRED:
          return { status: 'EXPIRED' };
        case PROCESS_RESULT.ERROR:
          return { status: 'FAILED' };
        case PROCESS_RESULT.UNSPECIFIED:
        case undefined:
          return undefined;
        default:
          // A result word Unico added after this table: recorded, never guessed, and a human is told.
          return { attention: 'unknown_result' };
      }
    default:
      return {};
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

export function unicoEventMeaning(table: UnicoEventTable, lastEvent: string): CanonicalMeaning {
  const meaning = ownEntry(table, lastEvent);
  return meaning ? { ...meaning } : {};
}
