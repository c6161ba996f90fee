/**
 * Attestr's status mapping as docs/providers.md shows it, each line probed against the mapping code
 * (vocabulary.ts) by the checklist test, so the two cannot drift apart. Attestr reports the data a
 * flow or check collected, never a verdict: no line sets a decision.
 */
import type { MappingLine } from '../module';
import {
  asyncStatusMeaning,
  attestrEventMeaning,
  DEFAULT_ASYNC_STATUSES,
  HANDSHAKE_MEANINGS,
  HANDSHAKE_STATES,
  parseAsyncStatuses,
} from './vocabulary';

const handshake = (state: keyof typeof HANDSHAKE_STATES) => () => HANDSHAKE_MEANINGS[HANDSHAKE_STATES[state]];

export const ATTESTR_MAPPING: readonly MappingLine[] = [
  {
    words: ['async.completed', 'flowx.completed'],
    from: 'callback',
    meaning: { status: 'COMPLETED' },
    note: 'Attestr reports data, not a verdict: no decision',
    probe: attestrEventMeaning,
  },
  {
    words: ['async.errored', 'flowx.errored'],
    from: 'callback',
    meaning: { status: 'FAILED' },
    probe: attestrEventMeaning,
  },
  { words: ['flowx.skipped'], from: 'callback', meaning: { status: 'ABANDONED' }, probe: attestrEventMeaning },
  { words: ['factx.query'], from: 'callback', meaning: { status: 'ACTION_REQUIRED' }, probe: attestrEventMeaning },
  { words: ['handshake unconsumed'], from: 'poll', meaning: { status: 'PENDING' }, probe: handshake('unconsumed') },
  { words: ['handshake consumed'], from: 'poll', meaning: { status: 'IN_PROGRESS' }, probe: handshake('consumed') },
  {
    words: ['handshake result present'],
    from: 'poll',
    meaning: { status: 'COMPLETED', attention: 'outcome_unclear', provisional: { awaiting: 'outcome_confirmation' } },
    note: "provisional: the API serves errored and skipped flows' results too; a flowx event names the outcome",
    probe: handshake('result'),
  },
  {
    words: ['handshake archived after it was consumed'],
    from: 'poll',
    meaning: { status: 'COMPLETED', attention: 'outcome_unclear', provisional: { awaiting: 'outcome_confirmation' } },
    note: 'the session ran; its result is gone',
    probe: handshake('archived'),
  },
  {
    words: ['handshake archived unconsumed'],
    from: 'poll',
    meaning: { status: 'EXPIRED' },
    probe: handshake('archivedUnconsumed'),
  },
  {
    words: ['PENDING'],
    from: 'poll, async outcome',
    meaning: { status: 'SUBMITTED' },
    note: 'by `ATTESTR_ASYNC_STATUSES` (the words are not published); COMPLETED and ERRORED likewise by default',
    probe: (word) => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), word),
  },
];
