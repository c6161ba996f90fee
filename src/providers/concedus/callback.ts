import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CanonicalMeaning, VerificationEvent } from '../../verification/model';
import { boundedArray, confirmThroughApi, isoTimestamp, providerWordSchema } from '../common';
import { CallbackValidationError, type CallbackParser, type FieldIssue, type ParsedCallback } from '../types';
import {
  complianceRecordSchema,
  concedusReference,
  documentedFields,
  isObject,
  optionalKeySchema,
  statusCodeSchema,
  timestampSchema,
  type KeyKind,
} from './records';
import {
  CONCEDUS_VOCABULARY,
  concedusMeaning,
  IDENT_REQUEST_CREATED,
  MISMATCHES,
  unknownTopic,
  type ConcedusVocabulary,
} from './vocabulary';

const KEY_FIELDS = ['customerKey', 'contractKey', 'personKey', 'identId'] as const;

/** `identResult`, `identResultKYC` and `identRequestCreated`: a person's ident, named by person key or ident ID. */
const identTopicSchema = z.preprocess(
  documentedFields([...KEY_FIELDS, 'status', 'created', 'modified']),
  z.looseObject({
    customerKey: optionalKeySchema,
    contractKey: optionalKeySchema,
    personKey: optionalKeySchema,
    identId: optionalKeySchema,
    status: statusCodeSchema.nullish(),
    created: timestampSchema.nullish(),
    modified: timestampSchema.nullish(),
  }),
);

/** One entry of the `mismatches` topic (PascalCase). `Value` and `KycValue` are personal data and never read. */
const mismatchEntrySchema = z.preprocess(
  documentedFields(['IdentId', 'PersonKey', 'Created', 'Mismatches']),
  z.looseObject({
    IdentId: optionalKeySchema,
    PersonKey: optionalKeySchema,
    Created: timestampSchema.nullish(),
    Mismatches: boundedArray(
      z.preprocess(documentedFields(['FieldName']), z.looseObject({ FieldName: z.string().max(200).optional() })),
      500,
    ).optional(),
  }),
);

/** A field name is kept for the timeline only when it looks like one; anything else could be a value. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

interface Subject {
  reference: string;
  keyKind: KeyKind;
}

/**
 * Concedus's callbacks: a JSON array mixing legacy compliance records
 * (`{status, key, modified, customerKey | contractKey}`) and topic messages (`complianceRecord`,
 * `identResult`, `identResultKYC`, `identRequestCreated`, `mismatches`, and topics yet unknown,
 * which are recorded with attention `unknown_topic`). Every record becomes an event for the
 * verification it is about, and for any other verification it also names that exists; records
 * that cannot be used are reported by path while the rest are accepted.
 *
 * References: compliance records name the contract (preferred, the more specific) or the
 * customer; ident topics name the person key, which outlives a retried ident, or else the KYC
 * provider's ident ID.
 */
export function createConcedusCallbackParser(
  vocabulary: ConcedusVocabulary = CONCEDUS_VOCABULARY,
  options: { confirmVerdicts?: boolean } = {},
): CallbackParser {
  return {
    parse(body: unknown): ParsedCallback {
      if (!Array.isArray(body)) {
        throw new CallbackValidationError([{ path: '', message: 'must be a JSON array of records' }]);
      }
      const reader = new RecordReader(vocabulary, options.confirmVerdicts ?? false);
      body.forEach((item, index) => reader.item(item, `[${index}]`));
      if (reader.events.length === 0 && reader.joinOnly.length === 0) {
        throw new CallbackValidationError(
          reader.rejected.length > 0 ? reader.rejected : [{ path: '', message: 'contains no records' }],
        );
      }
      return {
        events: reader.events,
        alsoIfExists: reader.alsoIfExists,
        joinOnly: reader.joinOnly,
        rejected: reader.rejected,
      };
    },
    countRecords,
  };
}

/** Topics whose records come as an array inside the message, each record read on its own. */
const RECORD_ARRAYS: readonly string[] = ['complianceRecord', 'mismatches'];

/**
 * The records of a body, without validating any: one per element, or per entry of a topic's
 * record array. Stops once past `atMost`, so a megabyte of empty records costs microseconds.
 */
function countRecords(body: unknown, atMost: number): number {
  if (!Array.isArray(body)) return 0;
  let count = 0;
  for (const item of body) {
    count += recordsIn(item);
    if (count > atMost) break;
  }
  return count;
}

function recordsIn(item: unknown): number {
  if (!isObject(item)) return 1;
  const { topic } = documentedFields(['topic'])(item) as { topic?: unknown };
  if (typeof topic !== 'string' || !RECORD_ARRAYS.includes(topic)) return 1;
  const entries = (documentedFields([topic])(item) as Record<string, unknown>)[topic];
  return Array.isArray(entries) ? Math.max(1, entries.length) : 1;
}

class RecordReader {
  readonly events: VerificationEvent[] = [];
  readonly alsoIfExists: VerificationEvent[] = [];
  readonly joinOnly: VerificationEvent[][] = [];
  readonly rejected: FieldIssue[] = [];

  constructor(
    private readonly vocabulary: ConcedusVocabulary,
    private readonly confirmVerdicts: boolean,
  ) {}

  item(item: unknown, at: string): void {
    if (!isObject(item)) return this.reject(at, 'must be an object');
    const topicField = documentedFields(['topic'])(item) as { topic?: unknown };
    if (topicField.topic === undefined) return this.complianceRecord(item, at);
    const topic = providerWordSchema.safeParse(topicField.topic);
    if (!topic.success) return this.issues(`${at}.topic`, topic.error);
    switch (topic.data) {
      case 'complianceRecord':
        return this.each(item, 'complianceRecord', at, (record, path) => this.complianceRecord(record, path));
      case 'mismatches':
        return this.each(item, 'mismatches', at, (entry, path) => this.mismatches(entry, path));
      case 'identResult':
      case 'identResultKYC':
        return this.identResult(item, at, topic.data);
      case 'identRequestCreated':
        return this.otherTopic(item, at, topic.data, IDENT_REQUEST_CREATED, 'person');
      default:
        return this.otherTopic(item, at, topic.data, unknownTopic(topic.data), 'compliance');
    }
  }

  /** A topic's array of records, each read on its own so one bad record does not cost its siblings. */
  private each(
    item: Record<string, unknown>,
    field: string,
    at: string,
    read: (entry: unknown, path: string) => void,
  ): void {
    const entries = (documentedFields([field])(item) as Record<string, unknown>)[field];
    if (!Array.isArray(entries)) return this.reject(`${at}.${field}`, 'must be an array');
    if (entries.length === 0) return this.reject(`${at}.${field}`, 'contains no records');
    entries.forEach((entry, index) => read(entry, `${at}.${field}[${index}]`));
  }

  private complianceRecord(value: unknown, at: string): void {
    const parsed = complianceRecordSchema.safeParse(value);
    if (!parsed.success) return this.issues(at, parsed.error);
    const record = parsed.data;
    const subjects = complianceSubjects(record.contractKey, record.customerKey);
    if (subjects.length === 0) return this.reject(at, 'names neither a customerKey nor a contractKey');
    this.add(subjects, {
      providerStatus: `complianceRecord:${record.status}`,
      // One state of one record: a redelivery (in either format) repeats key, status and time.
      dedupKey: `complianceRecord:${record.key ?? '-'}:${record.status}:${record.modified ?? '-'}`,
      meaning: this.verdict(concedusMeaning(this.vocabulary, 'complianceRecord', record.status)),
      occurredAt: isoTimestamp(record.modified),
    });
  }

  private identResult(item: Record<string, unknown>, at: string, topic: string): void {
    const parsed = identTopicSchema.safeParse(item);
    if (!parsed.success) return this.issues(at, parsed.error);
    const ident = parsed.data;
    if (ident.status == null) return this.reject(`${at}.status`, 'is required');
    const subjects = personSubjects(ident.personKey, ident.identId);
    if (subjects.length === 0) return this.reject(at, 'names neither a personKey nor an identId');
    this.add(
      subjects,
      {
        providerStatus: `${topic}:${ident.status}`,
        // identResultKYC repeats identResult with attachments: the same result, so the same key.
        dedupKey: `identResult:${ident.identId ?? '-'}:${ident.status}`,
        // An ident end (a code CONCEDUS_STATUS_MAP maps to FAILED, say) is a claim like any other
        // outcome from a static-secret callback: the status API confirms it.
        meaning: this.verdict(concedusMeaning(this.vocabulary, 'identResult', ident.status)),
        occurredAt: isoTimestamp(ident.created ?? ident.modified),
      },
      ident.identId,
    );
  }

  private mismatches(value: unknown, at: string): void {
    const parsed = mismatchEntrySchema.safeParse(value);
    if (!parsed.success) return this.issues(at, parsed.error);
    const entry = parsed.data;
    const subjects = personSubjects(entry.PersonKey, entry.IdentId);
    if (subjects.length === 0) return this.reject(at, 'names neither a PersonKey nor an IdentId');
    const fields = (entry.Mismatches ?? []).map((m) => m.FieldName).filter((name) => name && FIELD_NAME.test(name));
    this.add(
      subjects,
      {
        providerStatus: 'mismatches',
        dedupKey: `mismatches:${entry.IdentId ?? '-'}:${entry.Created ?? '-'}`,
        meaning: { ...MISMATCHES },
        occurredAt: isoTimestamp(entry.Created),
        detail: fields.length > 0 ? `fields: ${fields.join(',')}`.slice(0, 200) : undefined,
      },
      entry.IdentId,
    );
  }

  /** identRequestCreated and topics Concedus may add: recorded for whichever verification they name. */
  private otherTopic(
    item: Record<string, unknown>,
    at: string,
    topic: string,
    meaning: CanonicalMeaning,
    prefer: 'person' | 'compliance',
  ): void {
    const parsed = identTopicSchema.safeParse(item);
    if (!parsed.success) return this.issues(at, parsed.error);
    const fields = parsed.data;
    const person = personSubjects(fields.personKey, fields.identId);
    const compliance = complianceSubjects(fields.contractKey, fields.customerKey);
    const subjects = prefer === 'person' ? [...person, ...compliance] : [...compliance, ...person];
    if (subjects.length === 0) return this.reject(at, 'names no customerKey, contractKey, personKey or identId');
    this.add(
      subjects,
      {
        providerStatus: fields.status == null ? topic : `${topic}:${fields.status}`,
        // The shape is not documented, so the whole message identifies it (hashed: it may hold an ident link).
        dedupKey: `${topic}:${contentHash(item)}`,
        meaning: { ...meaning },
        occurredAt: isoTimestamp(fields.created ?? fields.modified),
      },
      fields.identId,
    );
  }

  /**
   * The first subject is the verification the record is about (it may be started by it); the
   * others it also names receive the same event if they exist. A record about a person or an
   * ident starts nothing: such a verification cannot end on its own (an ident's success is
   * progress, and no compliance record names a person), so only the app starts it, and the
   * record joins it when it is registered ({@link ParsedCallback.joinOnly}).
   */
  private add(
    [primary, ...others]: Subject[],
    event: Pick<VerificationEvent, 'providerStatus' | 'dedupKey' | 'meaning' | 'occurredAt' | 'detail'>,
    identId?: string,
  ): void {
    const { occurredAt, detail, ...rest } = event;
    const eventFor = (subject: Subject): VerificationEvent => {
      const context: Record<string, string> = { keyKind: subject.keyKind };
      if (identId && subject.keyKind === 'person') context.identId = identId;
      return {
        provider: 'concedus',
        reference: concedusReference(subject.keyKind, subject.reference),
        source: 'callback',
        ...rest,
        meaning: { ...rest.meaning },
        ...(occurredAt ? { occurredAt } : {}),
        ...(detail ? { detail } : {}),
        context,
      };
    };
    if (joinsOnly(primary!.keyKind)) {
      this.joinOnly.push([primary!, ...others].map(eventFor));
      return;
    }
    this.events.push(eventFor(primary!));
    for (const subject of others) this.alsoIfExists.push(eventFor(subject));
  }

  /** A compliance verdict in a callback ends the verification only once the status API confirms it, when so configured. */
  private verdict(meaning: CanonicalMeaning): CanonicalMeaning {
    return this.confirmVerdicts ? confirmThroughApi(meaning) : meaning;
  }

  private reject(path: string, message: string): void {
    this.rejected.push({ path, message });
  }

  private issues(at: string, error: z.ZodError): void {
    for (const issue of error.issues) this.reject(pathOf(at, issue.path), issue.message);
  }
}

/** Key kinds whose verifications only the app starts (see {@link appStartsConcedusReference}). */
function joinsOnly(kind: KeyKind): boolean {
  return kind === 'person' || kind === 'ident';
}

/** Every verification an ident record names, the person key (which outlives a retried ident) first. */
function personSubjects(personKey: string | undefined, identId: string | undefined): Subject[] {
  const subjects: Subject[] = [];
  if (personKey) subjects.push({ reference: personKey, keyKind: 'person' });
  if (identId) subjects.push({ reference: identId, keyKind: 'ident' });
  return subjects;
}

/** Every verification a compliance record names, the contract (the more specific) first. */
function complianceSubjects(contractKey: string | undefined, customerKey: string | undefined): Subject[] {
  const subjects: Subject[] = [];
  if (contractKey) subjects.push({ reference: contractKey, keyKind: 'contract' });
  if (customerKey) subjects.push({ reference: customerKey, keyKind: 'customer' });
  return subjects;
}

/** `[2]` + `['complianceRecord', 0, 'status']` → `[2].complianceRecord[0].status`. */
function pathOf(at: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    at,
  );
}

/** A digest of a message independent of its key order, so a redelivery hashes the same. */
function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 24);
}

/**
 * Key-sorted JSON, written without recursion: a message nested thousands deep (JSON allows it,
 * under the body limit) must cost no stack.
 */
function stableJson(root: unknown): string {
  const out: string[] = [];
  const work: unknown[] = [root];
  while (work.length > 0) {
    const item = work.pop();
    if (item instanceof Literal) out.push(item.text);
    else if (Array.isArray(item)) {
      const parts: unknown[] = [new Literal('[')];
      item.forEach((element, i) => parts.push(...(i ? [new Literal(',')] : []), element));
      parts.push(new Literal(']'));
      for (let i = parts.length - 1; i >= 0; i -= 1) work.push(parts[i]);
    } else if (isObject(item)) {
      const parts: unknown[] = [new Literal('{')];
      Object.keys(item)
        .sort()
        .forEach((key, i) => parts.push(new Literal(`${i ? ',' : ''}${JSON.stringify(key)}:`), item[key]));
      parts.push(new Literal('}'));
      for (let i = parts.length - 1; i >= 0; i -= 1) work.push(parts[i]);
    } else out.push(JSON.stringify(item) ?? 'null');
  }
  return out.join('');
}

/** Text already written, on stableJson's work stack. */
class Literal {
  constructor(readonly text: string) {}
}
