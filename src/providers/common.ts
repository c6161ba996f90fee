import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EnvReader } from '../config/env-reader';
import { isTerminal, type CanonicalMeaning, type VerificationEvent } from '../verification/model';
import { CallbackValidationError, type FieldIssue } from './types';
import { ProviderCallError } from './http';
import { ProviderFailure } from '../verification/provider-failure';
import { type ProviderId } from './registry';

/**
 * A provider's transaction ID as it may appear in a workflow ID: IDs are opaque to us, but they
 * must stay IDs (no spaces, no control characters, bounded), never free text that could carry
 * personal data into workflow IDs and logs.
 */
export const referenceSchema = z
  .string()
  // No '@': an email address is not an ID, and must never become part of a workflow ID.
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'must be an ID: letters, digits and . _ : -, at most 200 characters');

/** A provider status word: kept as-is in the timeline, so bounded and printable. */
export const providerStatusSchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,100}$/, 'must be 1 to 100 printable ASCII characters');

/** The longest word kept whole; a longer one is cut, with a digest of the whole so two stay apart. */
const MAX_WORD_CHARS = 100;
/** A cut word keeps this many characters, then `...#` and 8 hex digits: at most 100 characters in all. */
const CUT_WORD_CHARS = MAX_WORD_CHARS - 12;

/**
 * A provider word as a verification keeps it. Words are stored as sent (control and bidi
 * characters included: `kyc` prints them escaped, logs are JSON), so every vocabulary still finds
 * its words; only an empty word becomes `(empty)`, and one longer than 100 characters is cut to 88
 * (never inside a surrogate pair), ending in `...#` and the first 8 hex digits of its SHA-256. No
 * vocabulary lists such a word, so it is an unknown word ({@link unknownWord}), never a refused
 * callback: a provider that retries refused callbacks would send it forever.
 */
export function rawWord(value: string): string {
  if (value.length === 0) return '(empty)';
  if (value.length <= MAX_WORD_CHARS) return value;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 8);
  const cut = value.slice(0, CUT_WORD_CHARS);
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}...#${digest}`;
}

/** A provider word of any text, read through {@link rawWord}: only a value that is not text is refused. */
export const providerWordSchema = z.string({ error: 'must be a word (a string)' }).transform(rawWord);

/**
 * What an unmapped word is about: a status, a verdict's decision, a result code, an event or
 * message type, a status code, a flow, or a capability's sub-result.
 */
export type UnknownKind = 'status' | 'decision' | 'result' | 'event' | 'code' | 'flow' | 'sub_result';

/**
 * The one rule for a word no vocabulary maps: it is applied as ACTION_REQUIRED with attention
 * `unknown_<kind>` and the raw word kept (in the meaning, and as sent in the event's
 * providerStatus or detail). Never a terminal guess, never a silent wait for a known word: a human
 * looks, while fallback polls go on and a later known word still settles the verification. The
 * deadline never expires on it (src/verification/waiting.ts), and a result fetch that reads it is
 * done rather than repeated.
 */
export function unknownWord(kind: UnknownKind, raw: string): CanonicalMeaning {
  return { status: 'ACTION_REQUIRED', attention: `unknown_${kind}`, unknownWord: raw };
}

/**
 * An array of at most `max` items whose length is checked before any item is validated: zod
 * checks `.max()` only after validating every item, and a megabyte of items costs seconds of the
 * event loop every provider shares, then one issue per item.
 */
export function boundedArray<T extends z.ZodType>(item: T, max: number) {
  return z
    .unknown()
    .refine((value) => !Array.isArray(value) || value.length <= max, { message: `must have at most ${max} items` })
    .pipe(z.array(item));
}

/**
 * A provider word's own entry in a vocabulary table. A plain `table[word]` also finds what every
 * object inherits: `constructor`, `toString` or `__proto__` sent as a status would yield a
 * function (or Object.prototype) where a meaning belongs.
 */
export function ownEntry<V>(table: Readonly<Record<string, V>>, word: string): V | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}

/** At most this many issues in an answer or a dead letter, each path and message cut short. */
export const MAX_ISSUES = 50;
const MAX_ISSUE_CHARS = 200;

/** The first {@link MAX_ISSUES} issues, cut short, and how many more there were: small whatever was sent. */
export function boundedIssues(issues: readonly FieldIssue[]): { issues: FieldIssue[]; moreIssues: number } {
  return {
    issues: issues.slice(0, MAX_ISSUES).map((issue) => ({
      path: issue.path.slice(0, MAX_ISSUE_CHARS),
      message: issue.message.slice(0, MAX_ISSUE_CHARS),
    })),
    moreIssues: Math.max(0, issues.length - MAX_ISSUES),
  };
}

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** Validates a callback body, or throws the 400-worthy error listing every failing path. */
export function parseCallbackBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new CallbackValidationError(issuesOf(result.error));
  return result.data;
}

/** Validates a provider API response; a mismatch is a permanent BadResponse, never a verdict. */
export function parseResponse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const paths = result.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
    throw new ProviderCallError(ProviderFailure.BadResponse, `${what}: unexpected response shape at ${paths}`);
  }
  return result.data;
}

export function requireSetting(value: string | undefined, variable: string, what: string): string {
  if (!value) throw new ProviderCallError(ProviderFailure.NotConfigured, `${what}: ${variable} is not set`);
  return value;
}

/** The instants an ISO 8601 string of four-digit years can name: 0000-01-01 to 9999-12-31. */
const EARLIEST_MS = Date.parse('0000-01-01T00:00:00Z');
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Normalises a provider timestamp to ISO 8601 UTC; undefined when absent or unreadable. A number
 * or date outside the years 0000–9999 (`1e20`, `+275760-09-13`) is unreadable too: JSON allows
 * it, `Date#toISOString` throws on it, and a six-digit year would not compare as text.
 */
export function isoTimestamp(value: string | number | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > LATEST_MS) return undefined;
  return new Date(ms).toISOString();
}

/**
 * An outcome read from a callback body, whose only protection is a static secret, is confirmed
 * through the provider's retrieval API before it ends a verification. A verdict (COMPLETED) is held
 * back as "result announced": the workflow fetches it and applies the API's verdict. Any other end
 * (SESSION_EXPIRED, a failure, an abandoned session) becomes a claim ({@link claimThroughApi}).
 * Anything else passes unchanged.
 */
export function confirmThroughApi(meaning: CanonicalMeaning): CanonicalMeaning {
  if (meaning.status === undefined || !isTerminal(meaning.status) || meaning.provisional) return meaning;
  if (meaning.status !== 'COMPLETED') return claimThroughApi(meaning);
  return { status: 'SUBMITTED', retrieve: true, ...(meaning.attention ? { attention: meaning.attention } : {}) };
}

/**
 * A terminal outcome a static-secret callback claims: no status of its own. The workflow holds it
 * and asks the provider's API at once; an answer that confirms it applies it, one that contradicts
 * it drops it (attention `claim_contradicted`), and at the deadline an unconfirmed claim is applied
 * instead of our EXPIRED, as our timer's end (`CLAIM_UNCONFIRMED`, not final).
 */
export function claimThroughApi(meaning: CanonicalMeaning): CanonicalMeaning {
  const { status, decision, attention } = meaning;
  if (status === undefined || !isTerminal(status) || meaning.provisional) return meaning;
  return { claim: { status, ...(decision ? { decision } : {}) }, ...(attention ? { attention } : {}) };
}

/** `P_CONFIRM_VERDICTS` defaults to on in production, off in development and tests. */
export function isProduction(env: EnvReader): boolean {
  return env.string('NODE_ENV') === 'production';
}

/** A retrieval API's answer as a canonical event: two polls with the same answer are duplicates. */
export function pollEvent(
  provider: ProviderId,
  reference: string,
  providerStatus: string,
  meaning: CanonicalMeaning,
): VerificationEvent {
  return { provider, reference, providerStatus, source: 'poll', dedupKey: `poll:${providerStatus}`, meaning };
}
