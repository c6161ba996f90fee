/**
 * Attestr's status mapping as docs/providers.md shows it (npm run docs writes it there), each line
 * probed against the mapping code (vocabulary.ts) by the checklist test, so the two cannot drift
 * apart. Attestr reports the data a flow or check collected, never a verdict: no line sets a decision.
 */
import type { MappingLine } from '../module';
import {
  asyncStatusMeaning,
  attestrEventMeaning,
  DEFAULT_ASYNC_STATUSES,
  HANDSHAKE_MEANINGS,
  HANDSHAKE_STATES,
  PROFILE_MEANINGS,
  PROFILE_STATES,
  parseAsyncStatuses,
} from './vocabulary';

const handshake = (state: keyof typeof HANDSHAKE_STATES) => () => HANDSHAKE_MEANINGS[HANDSHAKE_STATES[state]];
const profile = (state: keyof typeof PROFILE_STATES) => () => PROFILE_MEANINGS[PROFILE_STATES[state]];
const asyncStatus = (word: string) => asyncStatusMeaning(parseAsyncStatuses(DEFAULT_ASYNC_STATUSES), word);

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
  {
    words: ['any other event name'],
    from: 'callback',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_event' },
    probe: () => attestrEventMeaning('flowx.added_later'),
  },
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
    words: ['a follow-up query open'],
    from: 'poll, Get Profile API',
    meaning: { status: 'ACTION_REQUIRED' },
    probe: profile('queryOpen'),
  },
  {
    words: ['every query answered'],
    from: 'poll, Get Profile API',
    meaning: { informational: true },
    note: 'answering does not finish the check',
    probe: profile('queriesAnswered'),
  },
  {
    words: ['PENDING'],
    from: 'poll, async outcome `status`',
    meaning: { status: 'SUBMITTED' },
    note: 'every async word by `ATTESTR_ASYNC_STATUSES` (Attestr does not publish them); these are the defaults',
    probe: asyncStatus,
  },
  { words: ['COMPLETED'], from: 'poll, async outcome `status`', meaning: { status: 'COMPLETED' }, probe: asyncStatus },
  { words: ['ERRORED'], from: 'poll, async outcome `status`', meaning: { status: 'FAILED' }, probe: asyncStatus },
  {
    words: ['any other async status'],
    from: 'poll, async outcome `status`',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status' },
    probe: () => asyncStatus('A_WORD_ADDED_LATER'),
  },
];
