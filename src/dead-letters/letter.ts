/**
 * A refused callback as a letter: what is kept (field paths and messages, never values; the
 * canonical events; the raw body only when it will be encrypted) and its fingerprint, so the same
 * refused callback sent again is the same letter.
 */
import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterReason, FieldIssue, LateVerdictNote } from '../contracts';
import { boundedIssues } from '../providers/common';
import type { VerificationEvent } from '../verification/model';

export interface RefusedCallback {
  provider: string;
  reason: DeadLetterReason;
  issues: FieldIssue[];
  receivedAt: string;
  rawBody?: Buffer;
  events?: VerificationEvent[];
  verificationId?: string;
  lateVerdict?: LateVerdictNote;
}

export interface LetterPolicy {
  /** Keep the raw body: only when payloads are encrypted (it may hold personal data). */
  keepBody: boolean;
  maxBytes: number;
}

/**
 * Builds the letter and its fingerprint. Personal data: field paths and messages (never values),
 * canonical events (IDs and status words); the raw body only when it will be encrypted, and only
 * up to `maxBytes`. Events are dropped too when they alone exceed the bound.
 */
export function buildDeadLetter(
  refused: RefusedCallback,
  policy: LetterPolicy,
): { letter: DeadLetter; fingerprint: string } {
  const bodySha256 = refused.rawBody ? createHash('sha256').update(refused.rawBody).digest('hex') : undefined;
  // A letter stays small whatever was sent: the issues an answer shows, and how many more there were.
  const { issues, moreIssues } = boundedIssues(refused.issues);
  const letter: DeadLetter = {
    provider: refused.provider,
    reason: refused.reason,
    issues,
    ...(moreIssues ? { moreIssues } : {}),
    receivedAt: refused.receivedAt,
    bodyBytes: refused.rawBody?.length ?? 0,
    ...(bodySha256 ? { bodySha256 } : {}),
    ...(refused.verificationId ? { verificationId: refused.verificationId } : {}),
    ...(refused.lateVerdict ? { lateVerdict: refused.lateVerdict } : {}),
  };
  if (refused.events?.length && Buffer.byteLength(JSON.stringify(refused.events)) <= policy.maxBytes) {
    letter.events = refused.events;
  }
  if (policy.keepBody && refused.rawBody && refused.rawBody.length <= policy.maxBytes) {
    letter.body = refused.rawBody.toString('utf8');
  }
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        refused.provider,
        refused.reason,
        refused.verificationId ?? '',
        bodySha256 ?? '',
        (refused.events ?? []).map((event) => `${event.reference}/${event.dedupKey}`),
      ]),
    )
    .digest('hex')
    .slice(0, 32);
  return { letter, fingerprint };
}
