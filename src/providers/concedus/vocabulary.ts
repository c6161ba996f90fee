import { ConfigError } from '../../config/env-reader';
import { DECISIONS, STATUSES, type CanonicalMeaning, type Decision, type Status } from '../../verification/model';
import { ownEntry, unknownWord } from '../common';

/**
 * Concedus's status codes come in separate vocabularies: compliance record 100 (accepted) and
 * ident 100 (verified) are different facts, so each code is read within its kind.
 */
export type ConcedusStatusKind = 'complianceRecord' | 'ident' | 'identResult';
export const CONCEDUS_STATUS_KINDS: readonly ConcedusStatusKind[] = ['complianceRecord', 'ident', 'identResult'];

export type ConcedusVocabulary = Record<ConcedusStatusKind, Readonly<Record<string, CanonicalMeaning>>>;

/**
 * Concedus's vocabulary in canonical terms: the one place it is mapped (the README's status mapping says
 * the same). A code missing here is an unknown word; `CONCEDUS_STATUS_MAP` adds the ones Concedus
 * has not published (see {@link parseStatusMap}).
 */
export const CONCEDUS_VOCABULARY: ConcedusVocabulary = {
  // Concedus's verdict on a customer or contract (docs: "100 = accepted"); other codes are undocumented.
  complianceRecord: {
    '100': { status: 'COMPLETED', decision: 'APPROVED' },
  },
  // Check Import Status codes of a person's ident. A verified ident is progress, not acceptance:
  // Concedus's compliance record decides whether a customer is accepted, so ident 100 waits for it
  // (a person- or ident-keyed verification then ends by its failure, abort or expiry, never approved).
  ident: {
    '0': { status: 'FAILED' },
    '100': { status: 'SUBMITTED' },
    '101': { status: 'SUBMITTED' },
    '102': { status: 'ABANDONED' },
    // A new ident session after an update of the customer's address or KYC data.
    '110': { status: 'SUBMITTED' },
  },
  // The KYC provider (e.g. WEBID) finished the ident: that is its result, not Concedus's, and no
  // verdict. Not announced as a result to fetch either: the person's status never holds a verdict
  // (ident 100 is progress), so the fallback polls read it, and a failure (0) or abort (102) ends
  // the verification, while its lifetime still bounds it.
  identResult: {
    success: { status: 'SUBMITTED' },
  },
};

/** Ident topics without a status code. */
export const IDENT_REQUEST_CREATED: CanonicalMeaning = { status: 'PENDING' };
/** The KYC provider's data differs from the data the integrator sent: someone has to correct it. */
export const MISMATCHES: CanonicalMeaning = { status: 'ACTION_REQUIRED' };

/**
 * A code that is in no table (Concedus publishes only compliance 100 and the five ident codes)
 * is an unknown word (`unknown_code`): waiting for a known one could last forever. The fallback
 * polls go on, so a later known status (a person's 0 or 102, a compliance record) still settles it.
 */
export function concedusMeaning(
  vocabulary: ConcedusVocabulary,
  kind: ConcedusStatusKind,
  code: string,
): CanonicalMeaning {
  const meaning = ownEntry(vocabulary[kind], code);
  return meaning ? { ...meaning } : unknownWord('code', code);
}

/**
 * A topic Concedus adds later: a kind of message, not a status, so Concedus's documented way of
 * growing (new topics on the same websocket) is recorded, with attention `unknown_topic` so a
 * human reads it; it moves nothing.
 */
export function unknownTopic(topic: string): CanonicalMeaning {
  return { informational: true, attention: 'unknown_topic', unknownWord: topic };
}

/**
 * Reads `CONCEDUS_STATUS_MAP`: `kind:code=STATUS[/DECISION]`, comma-separated, e.g.
 * `complianceRecord:200=COMPLETED/REJECTED,identResult:failed=FAILED`. Entries add to (or
 * replace) the built-in table, so codes Concedus reveals later need no deploy.
 */
export function parseStatusMap(variable: string, spec: string): ConcedusVocabulary {
  const vocabulary = {
    complianceRecord: { ...CONCEDUS_VOCABULARY.complianceRecord },
    ident: { ...CONCEDUS_VOCABULARY.ident },
    identResult: { ...CONCEDUS_VOCABULARY.identResult },
  };
  for (const entry of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]+):([\x21-\x7e]+)=([A-Z_]+)(?:\/([A-Z]+))?$/.exec(entry);
    const fail = (problem: string): never => {
      throw new ConfigError(variable, `'${entry}' ${problem}`);
    };
    if (!match) return fail('must look like kind:code=STATUS or kind:code=COMPLETED/DECISION');
    const [, kind, code, status, decision] = match as unknown as [string, string, string, string, string | undefined];
    if (!(CONCEDUS_STATUS_KINDS as readonly string[]).includes(kind)) {
      fail(`has an unknown kind (use ${CONCEDUS_STATUS_KINDS.join(', ')})`);
    }
    if (!(STATUSES as readonly string[]).includes(status)) fail(`has an unknown status (use ${STATUSES.join(', ')})`);
    if (decision !== undefined && !(DECISIONS as readonly string[]).includes(decision)) {
      fail(`has an unknown decision (use ${DECISIONS.join(', ')})`);
    }
    if ((status === 'COMPLETED') !== (decision !== undefined))
      fail('needs a decision exactly when the status is COMPLETED');
    const meaning: CanonicalMeaning = { status: status as Status };
    if (decision) meaning.decision = decision as Decision;
    vocabulary[kind as ConcedusStatusKind][code] = meaning;
  }
  return vocabulary;
}
