/**
 * One rule for every word no vocabulary maps, in every provider (docs/providers.md, "How verdicts are decided"): it
 * is applied as ACTION_REQUIRED with an `unknown_<kind>` attention and the raw word kept; never a
 * terminal guess, never silence, never a 400. Each provider lists its cases in
 * src/providers/<id>/test/unknown-word-cases.ts. Where a provider documents that a kind of word
 * grows by configuration, its documented equivalent holds instead (tested in its folder).
 */
import { silentLogger } from '../../src/logger';
import { rawWord, unknownWord } from '../../src/providers/common';
import { PROVIDERS } from '../../src/providers/registry';
import { startRecordingIngress, type InProcessIngress } from '../support/hostile-bodies';
import { providerTestModule } from '../support/provider-test-module';
import type { UnknownWordCases } from '../support/unknown-word-cases';

/** Each provider's cases, from src/providers/<id>/test/unknown-word-cases.ts. */
const casesOf = (provider: string) => providerTestModule<UnknownWordCases>(provider, 'unknown-word-cases', 'cases');

describe('an unmapped word is ACTION_REQUIRED with attention, the raw word kept', () => {
  it.each(PROVIDERS)('%s names its unmapped words', (provider) => {
    expect(casesOf(provider).lookups.length).toBeGreaterThan(0);
  });

  it.each(PROVIDERS.flatMap((provider) => casesOf(provider).lookups))('%s', (_where, meaningOf, attention, word) => {
    expect(meaningOf()).toEqual({ status: 'ACTION_REQUIRED', attention, unknownWord: word });
    expect(unknownWord(attention.slice('unknown_'.length) as never, word)).toEqual(meaningOf());
  });
});

describe('a word the timeline cannot keep whole', () => {
  it('is kept as sent (control characters too); an empty one is (empty); a longer one is cut, with a digest', () => {
    expect(rawWord('PROCESSED')).toBe('PROCESSED');
    expect(rawWord('')).toBe('(empty)');
    expect(rawWord('A\nB\u202e')).toBe('A\nB\u202e');
    // Cut at whole characters: no half of a surrogate pair is left behind.
    expect(rawWord('😀'.repeat(100))).toMatch(/^(😀){44}\.\.\.#[0-9a-f]{8}$/u);
    expect(rawWord(`x${'😀'.repeat(100)}`)).toMatch(/^x(😀){43}\.\.\.#[0-9a-f]{8}$/u);
    const long = rawWord('W'.repeat(101));
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^W{88}\.\.\.#[0-9a-f]{8}$/);
    // Two long words that share their first 100 characters stay apart.
    expect(rawWord(`${'W'.repeat(101)}x`)).not.toBe(rawWord(`${'W'.repeat(101)}y`));
  });

  describe('through the ingress: answered 200, not a 400 the provider would retry forever', () => {
    let ingress: InProcessIngress;
    beforeAll(async () => {
      ingress = await startRecordingIngress(silentLogger);
    });
    afterAll(async () => {
      await ingress.close();
    });

    it.each(PROVIDERS)('%s names a word it cannot keep whole', (provider) => {
      expect(casesOf(provider).oddWords.length).toBeGreaterThan(0);
    });

    it.each(
      PROVIDERS.flatMap((provider) =>
        casesOf(provider).oddWords.map(([what, body]) => [what, provider, body] as const),
      ),
    )('%s', async (_case, provider, body) => {
      ingress.handOvers.length = 0;
      const answer = await ingress.post(provider, JSON.stringify(body));
      expect(answer.status).toBe(200);
      expect(ingress.handOvers.length).toBeGreaterThan(0);
    });
  });
});
