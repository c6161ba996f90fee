/**
 * What reaches a verification from outside its workflow, checked before the reducer sees it. A
 * signal is untyped on the wire: anyone who can signal the workflow (a bug in a starter, a
 * hand-written `temporal workflow signal`, an event built from a hostile body) can send any JSON.
 * Each reader returns a clean copy holding only the fields the model defines, or the reason it
 * is malformed (field names only, never the values), so the reducer stays total over whatever
 * arrives and a bad signal can never fail a workflow task.
 */
import {
  AWAITING,
  DECISIONS,
  hasProviderIdForm,
  STATUSES,
  TERMINAL_STATUSES,
  type AppRegistration,
  type Awaiting,
  type CanonicalMeaning,
  type Decision,
  type TerminalStatus,
  type EventSource,
  type VerificationEvent,
} from './model';

/** The signals whose arguments are read here (their names as the workflow defines them). */
export type SignalName = 'providerEvent' | 'register' | 'cancel';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Bounds that keep a state small; well above anything our parsers produce. */
const MAX_WORD = 500;
const MAX_KEY = 1000;
const MAX_TIMESTAMP = 64;
const MAX_CONTEXT_ENTRIES = 50;
const MAX_CONTEXT_KEY = 100;
const MAX_CONTEXT_VALUE = 2048;

const EVENT_SOURCES: readonly EventSource[] = ['callback', 'poll', 'timer', 'app'];
/** Keys that a copy made by assignment would turn into a prototype (see src/providers/untrusted-json.ts). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A provider event as the model defines it. `expected` names the verification it was sent to: an
 * event for another provider or reference is malformed too (the ingress addresses the workflow by
 * the event's own provider and reference, so a mismatch never comes from it).
 */
export function readProviderEvent(
  value: unknown,
  expected?: { provider: string; reference: string },
): Checked<VerificationEvent> {
  if (!isPlainObject(value)) return malformed('the event is not an object');
  const { provider, reference, providerStatus, source, dedupKey, occurredAt, detail, context } = value;
  if (typeof provider !== 'string' || !hasProviderIdForm(provider)) return malformed('provider is not a provider');
  if (!isText(reference, MAX_WORD)) return malformed('reference is not a text');
  if (expected && (provider !== expected.provider || reference !== expected.reference)) {
    return malformed('the event names another verification');
  }
  if (!isText(providerStatus, MAX_WORD)) return malformed('providerStatus is not a text');
  if (typeof source !== 'string' || !(EVENT_SOURCES as readonly string[]).includes(source)) {
    return malformed('source is not a source');
  }
  if (!isText(dedupKey, MAX_KEY)) return malformed('dedupKey is not a text');
  if (occurredAt !== undefined && !isText(occurredAt, MAX_TIMESTAMP)) return malformed('occurredAt is not a text');
  if (detail !== undefined && !isText(detail, MAX_WORD)) return malformed('detail is not a text');
  const meaning = readMeaning(value.meaning);
  if (!meaning.ok) return meaning;
  const readContext = context === undefined ? undefined : readStringMap(context, 'context');
  if (readContext && !readContext.ok) return readContext;
  const event: VerificationEvent = {
    provider,
    reference,
    providerStatus,
    source: source as EventSource,
    dedupKey,
    meaning: meaning.value,
  };
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  if (detail !== undefined) event.detail = detail;
  if (readContext) event.context = readContext.value;
  return { ok: true, value: event };
}

/** The app's registration: every field optional, each of its type. */
export function readRegistration(value: unknown): Checked<AppRegistration> {
  if (!isPlainObject(value)) return malformed('the registration is not an object');
  const { expiresAt, customerReference, notifyWorkflowId, context } = value;
  if (expiresAt !== undefined && !isText(expiresAt, MAX_TIMESTAMP)) return malformed('expiresAt is not a text');
  if (customerReference !== undefined && !isText(customerReference, MAX_WORD)) {
    return malformed('customerReference is not a text');
  }
  if (notifyWorkflowId !== undefined && !isText(notifyWorkflowId, MAX_KEY)) {
    return malformed('notifyWorkflowId is not a text');
  }
  const readContext = context === undefined ? undefined : readStringMap(context, 'context');
  if (readContext && !readContext.ok) return readContext;
  const registration: AppRegistration = {};
  if (expiresAt !== undefined) registration.expiresAt = expiresAt;
  if (customerReference !== undefined) registration.customerReference = customerReference;
  if (notifyWorkflowId !== undefined) registration.notifyWorkflowId = notifyWorkflowId;
  if (readContext) registration.context = readContext.value;
  return { ok: true, value: registration };
}

/** The app's cancellation: no argument, or `{ reason? }` (the reducer keeps only a short code of it). */
export function readCancellation(value: unknown): Checked<{ reason?: string }> {
  if (value === undefined) return { ok: true, value: {} };
  if (!isPlainObject(value)) return malformed('the cancellation is not an object');
  const { reason } = value;
  if (reason !== undefined && !isText(reason, MAX_WORD)) return malformed('reason is not a text');
  return { ok: true, value: reason === undefined ? {} : { reason } };
}

function readMeaning(value: unknown): Checked<CanonicalMeaning> {
  if (!isPlainObject(value)) return malformed('meaning is not an object');
  const { status, decision, retrieve, informational, attention, unknownWord, provisional, claim } = value;
  if (status !== undefined && !(STATUSES as readonly unknown[]).includes(status)) {
    return malformed('meaning.status is not a status');
  }
  if (decision !== undefined && !(DECISIONS as readonly unknown[]).includes(decision)) {
    return malformed('meaning.decision is not a decision');
  }
  if (retrieve !== undefined && typeof retrieve !== 'boolean') return malformed('meaning.retrieve is not a boolean');
  if (informational !== undefined && typeof informational !== 'boolean') {
    return malformed('meaning.informational is not a boolean');
  }
  if (attention !== undefined && !isText(attention, MAX_WORD)) return malformed('meaning.attention is not a text');
  if (unknownWord !== undefined && !isText(unknownWord, MAX_WORD)) {
    return malformed('meaning.unknownWord is not a text');
  }
  if (
    provisional !== undefined &&
    !(isPlainObject(provisional) && (AWAITING as readonly unknown[]).includes(provisional.awaiting))
  ) {
    return malformed('meaning.provisional is not a provisional decision');
  }
  if (
    claim !== undefined &&
    !(
      isPlainObject(claim) &&
      (TERMINAL_STATUSES as readonly unknown[]).includes(claim.status) &&
      (claim.decision === undefined || (DECISIONS as readonly unknown[]).includes(claim.decision))
    )
  ) {
    return malformed('meaning.claim is not a claim');
  }
  const meaning: CanonicalMeaning = {};
  if (status !== undefined) meaning.status = status as CanonicalMeaning['status'];
  if (decision !== undefined) meaning.decision = decision as CanonicalMeaning['decision'];
  if (retrieve !== undefined) meaning.retrieve = retrieve;
  if (informational !== undefined) meaning.informational = informational;
  if (attention !== undefined) meaning.attention = attention;
  if (unknownWord !== undefined) meaning.unknownWord = unknownWord;
  if (provisional !== undefined) meaning.provisional = { awaiting: provisional.awaiting as Awaiting };
  if (claim !== undefined) {
    meaning.claim = { status: claim.status as TerminalStatus };
    if (claim.decision !== undefined) meaning.claim.decision = claim.decision as Decision;
  }
  return { ok: true, value: meaning };
}

/** A small map of texts (a context of IDs); copied key by key into a fresh object. */
function readStringMap(value: unknown, field: string): Checked<Record<string, string>> {
  if (!isPlainObject(value)) return malformed(`${field} is not an object`);
  const entries = Object.entries(value);
  if (entries.length > MAX_CONTEXT_ENTRIES) return malformed(`${field} has too many entries`);
  const copy: Record<string, string> = {};
  for (const [key, entry] of entries) {
    if (key.length > MAX_CONTEXT_KEY || PROTOTYPE_KEYS.has(key))
      return malformed(`${field} has a key that is not a name`);
    if (!isText(entry, MAX_CONTEXT_VALUE)) return malformed(`${field} has a value that is not a text`);
    copy[key] = entry;
  }
  return { ok: true, value: copy };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function malformed(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}
