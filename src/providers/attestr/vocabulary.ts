import { STATUSES, type CanonicalMeaning, type Status } from '../../verification/model';
import { ownEntry, unknownWord } from '../common';

/**
 * Attestr's vocabulary in canonical terms: the one place it is mapped (docs/providers.md's status mapping says
 * the same). Attestr reports the data a flow or check collected, never a verdict, so no mapping
 * here sets a `decision`: judging the data is the app's business.
 */

/** Webhook event names (docs.attestr.com, "Webhooks"). Each one but factx.query is a final outcome. */
export const ATTESTR_EVENTS: Record<string, CanonicalMeaning> = {
  'async.completed': { status: 'COMPLETED' },
  'async.errored': { status: 'FAILED' },
  'flowx.completed': { status: 'COMPLETED' },
  'flowx.errored': { status: 'FAILED' },
  'flowx.skipped': { status: 'ABANDONED' },
  // The back office needs more information from the customer: the app has to answer the query.
  'factx.query': { status: 'ACTION_REQUIRED' },
};

/** An event name Attestr adds after this table is an unknown word. */
export function attestrEventMeaning(event: string): CanonicalMeaning {
  const meaning = ownEntry(ATTESTR_EVENTS, event);
  return meaning ? { ...meaning } : unknownWord('event', event);
}

/**
 * The Execution Result API has no status word, only `consumed`, `archived` and `result`; these
 * words are ours, named so the timeline says which of those states the poll saw.
 */
export const HANDSHAKE_STATES = {
  /** Nobody has opened the flow with this handshake yet. */
  unconsumed: 'handshake.unconsumed',
  /** The flow was opened on a device; no result yet. */
  consumed: 'handshake.consumed',
  /** The flow finished and its result can be read. */
  result: 'handshake.result',
  /**
   * Archived after the flow was opened ("`result`: Null if handshake is archived"): the session
   * ran, but its result is gone, so the outcome can no longer be told from the API.
   */
  archived: 'handshake.archived',
  /** Archived without ever being opened: nobody ran the flow. */
  archivedUnconsumed: 'handshake.archived-unconsumed',
} as const;

/**
 * The Execution Result API serves results for errored and skipped flows too ("flow is completed
 * (success / error / skipped)"), and nothing in its answer (consumed, archived, result,
 * resultSignature; stage outputs are the flow's own data) tells them apart: only the webhook's
 * event name does, and Attestr sends each event once. A poll-found result (or a consumed handshake
 * archived since) is therefore provisional: the session is over, what became of it is unclear
 * (`outcome_unclear`), and a `flowx.*` event that arrives within `ATTESTR_REVIEW_WINDOW` names the
 * outcome, final; without one the window closes it COMPLETED, not final.
 */
const SESSION_OVER: CanonicalMeaning = {
  status: 'COMPLETED',
  attention: 'outcome_unclear',
  provisional: { awaiting: 'outcome_confirmation' },
};

export const HANDSHAKE_MEANINGS: Record<string, CanonicalMeaning> = {
  [HANDSHAKE_STATES.unconsumed]: { status: 'PENDING' },
  [HANDSHAKE_STATES.consumed]: { status: 'IN_PROGRESS' },
  [HANDSHAKE_STATES.result]: SESSION_OVER,
  [HANDSHAKE_STATES.archived]: SESSION_OVER,
  // The handshake's life ended unused: Attestr's own fact, not our timer's guess.
  [HANDSHAKE_STATES.archivedUnconsumed]: { status: 'EXPIRED' },
};

/** Get Profile API (background checks): whether a follow-up query still waits for an answer. */
export const PROFILE_STATES = {
  queryOpen: 'profile.query-open',
  queriesAnswered: 'profile.queries-answered',
} as const;

export const PROFILE_MEANINGS: Record<string, CanonicalMeaning> = {
  [PROFILE_STATES.queryOpen]: { status: 'ACTION_REQUIRED' },
  // Answering a query does not finish the check; the profile API has no documented outcome.
  [PROFILE_STATES.queriesAnswered]: { informational: true },
};

/**
 * The async request outcome's status words are not in Attestr's published pages, so they are
 * configuration (`ATTESTR_ASYNC_STATUSES`); this default is inferred from the event names.
 * A word not listed is an unknown word.
 */
export const DEFAULT_ASYNC_STATUSES = 'PENDING=SUBMITTED,COMPLETED=COMPLETED,ERRORED=FAILED';

/** Parses `WORD=STATUS,…` (words compared case-insensitively); throws a one-line reason when malformed. */
export function parseAsyncStatuses(text: string): Record<string, Status> {
  const map: Record<string, Status> = {};
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const word = pair.slice(0, eq).trim().toUpperCase();
    const status = pair
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (eq <= 0 || !word) throw new Error(`'${pair}' must look like WORD=STATUS`);
    if (!(STATUSES as readonly string[]).includes(status)) {
      throw new Error(`'${status}' is not a status (${STATUSES.join(', ')})`);
    }
    map[word] = status as Status;
  }
  if (Object.keys(map).length === 0) throw new Error('is empty');
  return map;
}

export function asyncStatusMeaning(statuses: Record<string, Status>, word: string): CanonicalMeaning {
  const status = ownEntry(statuses, word.toUpperCase());
  return status ? { status } : unknownWord('status', word);
}
