/**
 * Status, event and decision words that name Object.prototype members (`constructor`,
 * `toString`, `__proto__`, …). A plain-object lookup finds a function (or Object.prototype) for
 * them, which JSON drops on its way to the workflow: the signal then carries no meaning, or a
 * COMPLETED without its decision. Every vocabulary looks up own entries only, so such a word is
 * an unknown word like any other. Each provider lists its lookups in
 * src/providers/<id>/test/word-lookups.ts.
 */
import { runCli } from '../../src/client/cli';
import { silentLogger } from '../../src/logger';
import { type VerificationEvent } from '../../src/verification/model';
import {
  isContainer,
  PROTOTYPE_WORDS,
  SEEDS,
  startRecordingIngress,
  type InProcessIngress,
} from '../support/hostile-bodies';
import { PROVIDERS } from '../../src/providers/registry';
import { providerTestModule } from '../support/provider-test-module';
import { expectPlainMeaning } from '../support/plain-meaning';

describe('vocabulary lookups are own entries only', () => {
  /** Each provider's lookups, from src/providers/<id>/test/word-lookups.ts. */
  const lookups = PROVIDERS.flatMap((provider) =>
    Object.entries(
      providerTestModule<Record<string, (word: string) => unknown>>(provider, 'word-lookups', 'lookups'),
    ).map(([name, lookup]) => ({ name: `${provider} ${name}`, lookup })),
  );

  it.each(PROVIDERS)('%s names its word lookups', (provider) => {
    expect(lookups.some(({ name }) => name.startsWith(`${provider} `))).toBe(true);
  });

  it.each(lookups)('$name: every Object.prototype name means a plain meaning', ({ name, lookup }) => {
    for (const word of PROTOTYPE_WORDS) expectPlainMeaning(lookup(word), `${name} '${word}'`);
  });

  it('the CLI knows no command named after one', async () => {
    for (const word of PROTOTYPE_WORDS) {
      let stderr = '';
      const code = await runCli([word], { stdout: () => undefined, stderr: (t) => (stderr += t), env: {} });
      expect({ code, stderr }).toEqual({ code: 2, stderr: `kyc: unknown command '${word}' (try kyc --help)\n` });
    }
  });
});

/** The fields of the documented payloads that carry a provider's words (statuses, events, decisions, topics). */
const WORD_FIELDS = new Set([
  'status',
  'event',
  'eventType',
  'event_type',
  'decision',
  'value',
  'state',
  'result',
  'lastEvent',
  'topic',
  'type',
]);

/** Each documented payload with one word field set to `word`. */
function withWord(seed: unknown, word: string): string[] {
  const bodies: string[] = [];
  const count = fieldsOf(seed).length;
  for (let index = 0; index < count; index += 1) {
    const doc = structuredClone(seed);
    const { parent, key } = fieldsOf(doc)[index]!;
    parent[key] = word;
    bodies.push(JSON.stringify(doc));
  }
  return bodies;
}

function fieldsOf(root: unknown): { parent: Record<string, unknown>; key: string }[] {
  const found: { parent: Record<string, unknown>; key: string }[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.shift();
    if (!isContainer(node)) continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (WORD_FIELDS.has(key) && (typeof value === 'string' || typeof value === 'number'))
        found.push({ parent: node, key });
      pending.push(value);
    }
  }
  return found;
}

describe('such words in callbacks, through the ingress', () => {
  let ingress: InProcessIngress;
  beforeAll(async () => {
    ingress = await startRecordingIngress(silentLogger);
  });
  afterAll(async () => {
    await ingress.close();
  });

  it.each(PROVIDERS)('%s: every event handed over carries a plain meaning', async (provider) => {
    let handedOver = 0;
    for (const seed of SEEDS[provider]) {
      for (const word of PROTOTYPE_WORDS) {
        for (const body of withWord(seed, word)) {
          ingress.handOvers.length = 0;
          expect((await ingress.post(provider, body)).status).toBeLessThan(500);
          for (const { sent } of ingress.handOvers) {
            const { signalArgs } = sent as { signalArgs?: VerificationEvent[] };
            for (const event of signalArgs ?? (sent as VerificationEvent[])) {
              handedOver += 1;
              expectPlainMeaning(event.meaning, `${provider} '${word}' in ${body.slice(0, 120)}`);
            }
          }
        }
      }
    }
    expect(handedOver).toBeGreaterThan(0);
  });
});
