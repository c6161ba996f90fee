import type { FieldIssue } from '../contracts';
import type { VerificationEvent } from '../verification/model';
import { type ProviderId } from './registry';

/** Where a callback failed validation: part of the dead-letter contract, re-exported for the parsers. */
export type { FieldIssue };

/** The canonical events one callback body carries (Concedus may carry many), and what was rejected. */
export interface ParsedCallback {
  events: VerificationEvent[];
  /**
   * The same events for the other verifications a record also names (Concedus: a record that
   * names a contract and a customer, a person and an ident). Delivered only to verifications
   * that exist, so naming a second key never starts a verification nobody asked for.
   */
  alsoIfExists?: VerificationEvent[];
  /**
   * Records about a verification that cannot end on its own (Concedus's person and ident keys: an
   * ident's success is progress, and compliance records never name a person), one group per
   * record, its subject first. They never start a verification: each event joins its verification
   * when the app registered it, and a record none of whose verifications exists is kept as an
   * `unroutable` dead letter, which the app's start of that verification replays.
   */
  joinOnly?: VerificationEvent[][];
  /** Records of the body that could not be used; the rest are still accepted. */
  rejected: FieldIssue[];
}

/** Reads one provider's callbacks: validation (zod) and the mapping to canonical meaning. */
export interface CallbackParser {
  /**
   * Validates and normalises a callback body. Throws {@link CallbackValidationError} when
   * nothing in the body is usable. `rawBody` is the body as received (UTF-8): where a provider
   * signs part of it (Attestr's `resultSignature`), the signature is checked over those bytes.
   */
  parse(body: unknown, receivedAt: string, rawBody?: string): ParsedCallback;
  /**
   * How many records the body carries, counted without validating any and no further than just
   * past `atMost`: validating costs per record, so the ingress refuses a body with too many before
   * paying for it. Left out by providers whose callbacks carry one record each.
   */
  countRecords?(body: unknown, atMost: number): number;
}

/** Asks a provider's retrieval API for the current state of one verification. */
export interface RetrievalClient {
  /**
   * Returns the provider's answer as a canonical event with source `poll`. Throws
   * `ProviderCallError` (classified) when the provider cannot answer.
   */
  retrieve(reference: string, context: Record<string, string>): Promise<VerificationEvent>;
}

export class CallbackValidationError extends Error {
  override name = 'CallbackValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid callback: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`);
  }
}

export type { ProviderId };

/** A callback whose own integrity proof (e.g. Attestr's resultSignature) does not verify: answered 401. */
export class CallbackAuthenticationError extends Error {
  override name = 'CallbackAuthenticationError';
}

/**
 * A callback that authenticated and parsed, but is not ours to take: Jumio's addresses send every
 * Jumio customer's callbacks, so one naming an account outside `JUMIO_ACCOUNT_IDS` is another
 * customer's. Answered 403 and kept as a dead letter (`reason`), never handed to a verification.
 */
export class CallbackNotOursError extends Error {
  override name = 'CallbackNotOursError';
  constructor(
    readonly reason: 'foreign_account',
    readonly issues: FieldIssue[],
    /** What the callback would have delivered (IDs and status words), kept on the letter for a replay. */
    readonly events: VerificationEvent[],
  ) {
    super(`callback refused: ${reason}`);
  }
}
