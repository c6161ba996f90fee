/**
 * The contract of the dead-letter store: a callback refused after authentication is kept as one
 * small workflow (`kyc-dead:<provider>:<fingerprint>`), listable through Temporal visibility and
 * completed after its retention. The ingress, the CLI and the workflow import this module only.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { VerificationEvent } from '../verification/model';
import type { LateVerdictNote } from './late-verdict';

export const DEAD_LETTER_WORKFLOW_TYPE = 'deadLetterWorkflow';

/** A field of a callback body that failed validation: where, and why. Never the value itself. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * Why a callback was refused after it authenticated:
 * - `invalid_json`: the body is not JSON;
 * - `schema`: the body (or some of its records) does not match the provider's schema;
 * - `oversize`: more records than one callback may carry;
 * - `late`: the verification it names has already closed;
 * - `late_verdict`: a provider's verdict for a verification our own timer had closed (see
 *   src/late-verdicts/classify.ts): an alert, and what an operator may reopen the verification for;
 * - `foreign_account`: a callback for an account of the provider's that is not configured (another
 *   of its customers', sent from the same addresses as ours);
 * - `stale`: the callback's own timestamp is older than the namespace's retention and no open
 *   verification takes it: it may belong to one that closed and was deleted since, so it starts none.
 * - `unroutable`: a callback about a verification that only the app starts (a provider's person and
 *   ident keys, `appStartsOnly`), which no registered verification takes: kept for the app's start, which replays it.
 * - `undeliverable`: an event acknowledged into the local inbox that Temporal refused for what it
 *   is, over and over (not an outage): set aside so that the entries after it go on.
 */
export const DEAD_LETTER_REASONS = [
  'invalid_json',
  'schema',
  'oversize',
  'late',
  'late_verdict',
  'foreign_account',
  'stale',
  'unroutable',
  'undeliverable',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export function isDeadLetterReason(value: string): value is DeadLetterReason {
  return (DEAD_LETTER_REASONS as readonly string[]).includes(value);
}

/** One refused callback. No personal data outside `body`, which is kept only when payloads are encrypted. */
export interface DeadLetter {
  provider: string;
  reason: DeadLetterReason;
  /** Failing field paths and why (never the values); at most `MAX_ISSUES` (src/providers/common.ts). */
  issues: FieldIssue[];
  /** How many issues there were beyond those kept. */
  moreIssues?: number;
  receivedAt: string;
  /** `kyc:<provider>:<reference>` when the letter belongs to one verification (late events). */
  verificationId?: string;
  /** Canonical events (IDs and status words only) the callback carried, when it could be parsed. */
  events?: VerificationEvent[];
  /** `late_verdict` only: how the verification had ended, and the verdicts that came after. */
  lateVerdict?: LateVerdictNote;
  /** The raw body, only when KYC_PAYLOAD_KEY encrypts every payload and it fits KYC_DEAD_LETTER_MAX_BYTES. */
  body?: string;
  bodyBytes: number;
  /** SHA-256 of the raw body, to match the letter with the provider's own logs. */
  bodySha256?: string;
}

/** What a replay did; the letter ends as `replayed` once everything in it was handed over. */
export interface ReplayResult {
  at: string;
  accepted: number;
  late: number;
}

export interface DeadLetterInput {
  letter: DeadLetter;
  retentionMs: number;
}

export interface DeadLetterView {
  letter: DeadLetter;
  replays: ReplayResult[];
  resolved: boolean;
}

/** What the workflow ends with: handed over by a replay, or dropped when its retention ran out. */
export type DeadLetterEnd = { resolution: 'replayed' | 'expired'; replays: ReplayResult[] };

/** The dead-letter workflow's signature, for typed starts and handles. */
export type DeadLetterWorkflow = (input: DeadLetterInput) => Promise<DeadLetterEnd>;

/**
 * The listing's summary, kept in the execution's memo (encrypted by the codec like any payload):
 * readable without a worker, and holding no personal data.
 */
export interface DeadLetterMemo {
  provider: string;
  reason: DeadLetterReason;
  paths: string[];
  receivedAt: string;
  verificationId?: string;
  events: number;
  /** `late_verdict` only (status words, no personal data): shown by `kyc status` and the listing. */
  lateVerdict?: LateVerdictNote;
  bodyKept: boolean;
  bodyBytes: number;
}

export const deadLetterQuery = defineQuery<DeadLetterView>('deadLetter');
/** An update, not a signal: once the replayer's call returns, the letter's state already says so. */
export const replayedUpdate = defineUpdate<void, [ReplayResult]>('replayed');

const ID_PREFIX = 'kyc-dead';

/** `kyc-dead:<provider>:<fingerprint>`: the same refused callback sent again is the same letter. */
export function deadLetterWorkflowId(provider: string, fingerprint: string): string {
  return `${ID_PREFIX}:${provider}:${fingerprint}`;
}

export function isDeadLetterWorkflowId(id: string): boolean {
  return /^kyc-dead:[a-z][a-z0-9]*:[0-9a-f]{8,64}$/.test(id);
}

export function deadLetterMemo(letter: DeadLetter): DeadLetterMemo {
  return {
    provider: letter.provider,
    reason: letter.reason,
    paths: [...new Set(letter.issues.map((issue) => issue.path))],
    receivedAt: letter.receivedAt,
    ...(letter.verificationId ? { verificationId: letter.verificationId } : {}),
    events: letter.events?.length ?? 0,
    ...(letter.lateVerdict ? { lateVerdict: letter.lateVerdict } : {}),
    bodyKept: letter.body !== undefined,
    bodyBytes: letter.bodyBytes,
  };
}
