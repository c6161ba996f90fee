/**
 * A provider's documented sequences for the reducer's order-independence property
 * (test/unit/reducer.test.ts): each provider's are `sequences` in src/providers/<id>/test/sequences.ts,
 * found by its registry ID. An event is a callback at a provider second, or (without one) a poll answer.
 */
import type { CanonicalMeaning, VerificationEvent } from '../../src/verification/model';
import { providerTestModule } from './provider-test-module';

/** The reference every sequence's events name. */
export const SEQUENCE_REFERENCE = 'ref-1';

export type Sequences = Record<string, VerificationEvent[]>;

/** Builds one provider's events: `at(status, meaning, second)` a callback, `at(status, meaning)` a poll answer. */
export function eventsOf(provider: string) {
  return (providerStatus: string, meaning: CanonicalMeaning | undefined, second?: number): VerificationEvent => ({
    provider,
    reference: SEQUENCE_REFERENCE,
    providerStatus,
    meaning: meaning ?? {},
    ...(second === undefined
      ? { source: 'poll', dedupKey: `poll:${providerStatus}` }
      : {
          source: 'callback',
          occurredAt: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
          dedupKey: `callback:${providerStatus}`,
        }),
  });
}

/** The provider's sequences, by its registry ID. */
export function loadSequences(provider: string): Sequences {
  const sequences = providerTestModule<Sequences>(provider, 'sequences', 'sequences');
  if (Object.keys(sequences).length === 0) {
    throw new Error(`provider ${provider}: src/providers/${provider}/test/sequences.ts must export \`sequences\``);
  }
  return sequences;
}
