/**
 * Jumio's status mapping as docs/providers.md shows it (npm run docs writes it there), each line
 * probed against the mapping code (vocabulary.ts, the callback parser) by the checklist test, so the
 * two cannot drift apart.
 */
import { silentLogger } from '../../logger';
import type { MappingLine } from '../module';
import { createJumioCallbackParser } from './callback';
import { jumioDecisionMeaning, jumioStatusMeaning } from './vocabulary';

const decision = (word: string) => jumioDecisionMeaning(word, undefined);

/** A callback whose `href` names the execution on a host that is none of Jumio's regions (`JUMIO_REGIONS`). */
function withForeignHref(status: string) {
  const parser = createJumioCallbackParser({ apiBaseUrl: 'https://retrieval.amer-1.jumio.ai', logger: silentLogger });
  const id = '7f1e2d3c-0000-4000-8000-000000000001';
  const body = {
    workflowExecution: {
      id,
      status,
      href: `https://retrieval.example.net/api/v1/accounts/acc-1/workflow-executions/${id}`,
    },
    account: { id: 'acc-1' },
  };
  return parser.parse(body, new Date().toISOString()).events[0]?.meaning;
}

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
    words: ['any other workflow status'],
    from: 'callback or `/status`',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_status' },
    probe: () => jumioStatusMeaning('A_STATUS_ADDED_LATER'),
  },
  {
    words: ['PASSED'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    probe: decision,
  },
  {
    words: ['WARNING'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'REVIEW' },
    probe: decision,
  },
  {
    words: ['REJECTED'],
    from: 'retrieval decision',
    meaning: { status: 'COMPLETED', decision: 'REJECTED' },
    probe: decision,
  },
  {
    words: ['NOT_EXECUTED'],
    from: 'retrieval decision',
    meaning: { status: 'ABANDONED' },
    note: 'the user left; EXPIRED when its label says expired, FAILED with label `TECHNICAL_ERROR`',
    probe: decision,
  },
  {
    words: ['NOT_EXECUTED'],
    from: 'retrieval decision, label `SESSION_EXPIRED` or `TOKEN_EXPIRED`',
    meaning: { status: 'EXPIRED' },
    probe: (word) => jumioDecisionMeaning(word, 'SESSION_EXPIRED'),
  },
  {
    words: ['NOT_EXECUTED'],
    from: 'retrieval decision, label `TECHNICAL_ERROR`',
    meaning: { status: 'FAILED' },
    probe: (word) => jumioDecisionMeaning(word, 'TECHNICAL_ERROR'),
  },
  {
    words: ['any other decision type'],
    from: 'retrieval decision',
    meaning: { status: 'ACTION_REQUIRED', attention: 'unknown_decision' },
    probe: () => decision('A_TYPE_ADDED_LATER'),
  },
  {
    words: ['ACQUIRED'],
    from: 'callback whose `href` is on a host outside `JUMIO_API_BASE_URL` and `JUMIO_REGIONS`',
    meaning: { status: 'SUBMITTED', attention: 'foreign_region_href' },
    note: 'any status keeps its own meaning; the href is never fetched, and a log line names both hosts',
    probe: withForeignHref,
  },
];
