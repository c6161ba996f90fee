import { z } from 'zod';
import { ProviderFailure } from '../../verification/provider-failure';
import { ProviderCallError } from '../http';
import { providerWordSchema, referenceSchema } from '../common';

/**
 * Which of Concedus's keys a verification's reference is; it decides which status endpoint a
 * poll asks. Compliance records name customers or contracts; ident topics name a person (or, failing
 * that, the KYC provider's ident ID). Kept in the verification's context as `keyKind`.
 */
export const KEY_KINDS = ['customer', 'contract', 'person', 'ident'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
export const DEFAULT_KEY_KIND: KeyKind = 'customer';

/**
 * The verification reference for one of Concedus's keys. Customer, contract, person and ident
 * keys share one ID space (one UUID may name a customer and a contract), so the kind is part of
 * the identity: a customer's reference is its plain key, as it always was, and every other kind
 * carries its kind as a prefix (`contract:<key>`, `person:<key>`, `ident:<id>`). Records of one
 * kind therefore never reach a verification of another with the same value.
 */
export function concedusReference(kind: KeyKind, key: string): string {
  return kind === 'customer' ? key : `${kind}:${key}`;
}

const PREFIXED = /^(contract|person|ident):(.+)$/;

/**
 * The reference of a verification the app starts: the key with its kind (the context's `keyKind`,
 * default customer) as {@link concedusReference} writes it, so the app's verification is the one
 * the callbacks for that key reach. A reference that already carries its kind stays as it is; a
 * `keyKind` that disagrees with it, or is not a kind, is refused.
 */
export function canonicalConcedusReference(reference: string, context: Readonly<Record<string, string>>): string {
  const kind = context.keyKind;
  if (kind !== undefined && !(KEY_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`context.keyKind must be one of ${KEY_KINDS.join(', ')}`);
  }
  const match = PREFIXED.exec(reference);
  if (!match) return concedusReference((kind as KeyKind | undefined) ?? DEFAULT_KEY_KIND, reference);
  if (kind !== undefined && kind !== match[1]) {
    throw new Error(`reference names a ${match[1]} key, but context.keyKind is ${kind}`);
  }
  return reference;
}

/**
 * The key kind and the key of a verification: from the reference's prefix, else (a plain
 * reference the app started) from the context's `keyKind`, else a customer.
 */
export function concedusKeyOf(reference: string, context: Record<string, string>): { kind: KeyKind; key: string } {
  const match = PREFIXED.exec(reference);
  if (match) return { kind: match[1] as KeyKind, key: match[2]! };
  return { kind: keyKindOf(context), key: reference };
}

/** The key kind in a verification's context: the app's choice at start, or what the first callback named. */
export function keyKindOf(context: Record<string, string>): KeyKind {
  const kind = context.keyKind ?? DEFAULT_KEY_KIND;
  if (!(KEY_KINDS as readonly string[]).includes(kind)) {
    throw new ProviderCallError(
      ProviderFailure.RequestRejected,
      `concedus retrieval: context keyKind must be one of ${KEY_KINDS.join(', ')}`,
    );
  }
  return kind as KeyKind;
}

/**
 * A person's or an ident's verification can only end by the ident's failure, abort or expiry (its
 * success is progress, and compliance records never name a person), so a callback never starts
 * one: only the app does, and callbacks that came first are replayed into it.
 */
export function appStartsConcedusReference(reference: string): boolean {
  return /^(person|ident):/.test(reference);
}

/**
 * Reads only the documented fields of an object, matching their names case-insensitively:
 * Concedus writes `customerKey` in one answer and `customerkey` in another, and PascalCase in
 * `mismatches`. Every other field (ident links, attachments, mismatch values) is left behind,
 * so personal data never travels further than this function.
 */
export function documentedFields(names: readonly string[]): (value: unknown) => unknown {
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  return (value) => {
    if (!isObject(value)) return value;
    const fields: Record<string, unknown> = {};
    for (const [sent, fieldValue] of Object.entries(value)) {
      const name = byLowerCase.get(sent.toLowerCase());
      // The documented spelling wins when a body carries both spellings.
      if (name && (!(name in fields) || sent === name)) fields[name] = fieldValue;
    }
    return fields;
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A status code: documented as a number; any other number or word is kept as sent (unprintable or
 * overlong words cut) and read as an unknown code, never refused.
 */
export const statusCodeSchema = z
  .union([z.number(), providerWordSchema], { error: 'must be a status code (a number or a status word)' })
  .transform(String);

/**
 * A key that may be a verification's reference. Absent, null and "" (the export answer sends
 * `"customerkey": ""`) all mean "not named"; the KYC provider's numeric ident IDs become strings.
 */
export const optionalKeySchema = z.preprocess(
  (value) =>
    value === '' || value === null
      ? undefined
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? String(value)
        : value,
  referenceSchema.optional(),
);

/** Concedus's own record key, e.g. `Concedus+Q0000048D+14`: an identifier, though not one our IDs allow. */
export const recordKeySchema = z
  .string()
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const timestampSchema = z.string().max(64);

/** A compliance record, as callbacks (legacy and `complianceRecord` topic) and the status API send it. */
export const complianceRecordSchema = z.preprocess(
  documentedFields(['status', 'key', 'modified', 'customerKey', 'contractKey']),
  z.looseObject({
    status: statusCodeSchema,
    // Null reads as absent: the record is still the verdict it carries.
    key: recordKeySchema.nullish(),
    modified: timestampSchema.nullish(),
    customerKey: optionalKeySchema,
    contractKey: optionalKeySchema,
  }),
);
