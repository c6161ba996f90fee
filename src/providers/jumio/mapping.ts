/**
 * Jumio's status mapping as docs/providers.md shows it, each line probed against the mapping code
 * (vocabulary.ts) by the checklist test, so the two cannot drift apart.
 */
import type { MappingLine } from '../module';
import { jumioDecisionMeaning, jumioStatusMeaning } from './vocabulary';

export const JUMIO_MAPPING: readonly MappingLine[] = [
  { words: ['INITIATED'], from: 'callback', meaning: { status: 'PENDING' }, probe: jumioStatusMeaning },
  { words: ['ACQUISITION_STARTED'], from: 'callback', meaning: { status: 'IN_PROGRESS' }, probe: jumioStatusMeaning },
  { words: ['ACQUIRED'], from: 'callback', meaning: { status: 'SUBMITTED' }, probe: jumioStatusMeaning },
  {
    words: ['PROCESSED'],
    from: 'callback',
    meaning: { status: 'SUBMITTED', retrieve: true },
    note: 'the decision is retrieved (`/status`, then details)',
    probe: jumioStatusMeaning,
  },
  {
    words: ['SESSION_EXPIRED', 'TOKEN_EXPIRED'],
    from: 'callback',
    meaning: { status: 'EXPIRED' },
    probe: jumioStatusMeaning,
  },
  {
    words: ['PASSED'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    probe: (word) => jumioDecisionMeaning(word, undefined),
  },
  {
    words: ['WARNING'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: (word) => jumioDecisionMeaning(word, undefined),
  },
  {
    words: ['REJECTED'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    probe: (word) => jumioDecisionMeaning(word, undefined),
  },
  {
    words: ['NOT_EXECUTED'],
    from: 'retrieval decision',
    meaning: { status: 'FAILED' },
    note: 'EXPIRED when its label says expired',
    probe: (word) => jumioDecisionMeaning(word, undefined),
  },
  {
    words: ['any other decision type'],
    from: 'retrieval decision',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision_type' },
    probe: () => jumioDecisionMeaning('A_TYPE_ADDED_LATER', undefined),
  },
  {
    words: ['href on another host than JUMIO_API_BASE_URL'],
    from: 'callback',
    meaning: { attention: 'foreign_region_href' },
    note: 'the status keeps its own meaning; a log line names both hosts',
  },
];
