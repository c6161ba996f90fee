/**
 * A provider's words no vocabulary maps, for test/unit/unknown-words.test.ts: `cases` in
 * src/providers/<id>/test/unknown-word-cases.ts, found by its registry ID.
 */
import type { CanonicalMeaning } from '../../src/verification/model';

export interface UnknownWordCases {
  /** Where the word arrives, how its meaning is looked up, the attention it must raise, and the word. */
  lookups: [where: string, meaningOf: () => CanonicalMeaning | undefined, attention: string, word: string][];
  /** Callbacks carrying a word the timeline cannot keep whole (long, odd characters): what, and the body. */
  oddWords: [what: string, body: unknown][];
}

/** The first event's meaning of a parsed callback. */
export const first = (parsed: { events: { meaning: CanonicalMeaning }[] }): CanonicalMeaning =>
  parsed.events[0]!.meaning;
