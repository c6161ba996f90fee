/**
 * `__proto__`, `constructor` and `prototype` keys in a body: whatever depth they sit at, nothing
 * they carry becomes a reference, a workflow ID, a context entry, a search attribute or anything
 * else handed to Temporal. Every provider's documented payloads, bent three ways at every object.
 * The attacks reported against one provider's fields are in its folder
 * (src/providers/<id>/test/prototype-keys.test.ts).
 */
import { parseUntrustedJson } from '../../src/providers/untrusted-json';
import { silentLogger } from '../../src/logger';
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import {
  markedCopy,
  objectsOf,
  PROTOTYPE_KEYS,
  SEEDS,
  setOwn,
  startRecordingIngress,
  type InProcessIngress,
} from '../support/hostile-bodies';
import { loadSeeds } from '../support/seeds';

/** Fits every ID schema, so the only thing that can stop it is the parse. */
const INJECTED = 'INJECTED-9f3b2c';

/** The documented payloads, and the other shapes each provider's seeds say its parser takes. */
const PROTO_SEEDS = Object.fromEntries(
  PROVIDERS.map((provider) => [provider, [...SEEDS[provider], ...(loadSeeds(provider).variants?.() ?? [])]]),
) as Record<ProviderId, unknown[]>;

/**
 * The bodies an attacker sends: for every object of a documented payload,
 * - each of its members moved into a `__proto__` member (the field itself then absent, so a
 *   prototype would answer for it),
 * - a `__proto__` copy of all its members beside them,
 * - `constructor: {prototype: …}` and `prototype: …` copies beside them.
 * Injected texts are all `INJECTED`.
 */
function bentBodies(seed: unknown): string[] {
  const bodies: string[] = [];
  const count = objectsOf(seed).length;
  for (let index = 0; index < count; index += 1) {
    const nodeOf = (doc: unknown) => objectsOf(doc)[index]!;
    for (const key of Object.keys(nodeOf(seed))) {
      const doc = structuredClone(seed);
      const node = nodeOf(doc);
      const moved = node[key];
      delete node[key];
      setOwn(node, '__proto__', { [key]: markedCopy(moved, INJECTED) });
      bodies.push(JSON.stringify(doc));
    }
    const shadowed = structuredClone(seed);
    const node = nodeOf(shadowed);
    setOwn(node, '__proto__', markedCopy(node, INJECTED));
    bodies.push(JSON.stringify(shadowed));
    const others = structuredClone(seed);
    const other = nodeOf(others);
    setOwn(other, 'constructor', { prototype: markedCopy(other, INJECTED) });
    setOwn(other, 'prototype', markedCopy(other, INJECTED));
    bodies.push(JSON.stringify(others));
  }
  return bodies;
}

describe('parseUntrustedJson', () => {
  it('drops __proto__, constructor and prototype members at every depth, however the key is spelt', () => {
    const parsed = parseUntrustedJson(
      '{"a":{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}},"b":[{"prototype":3,"c":4}]},' +
        '"\\u005f_proto__":{"z":5},"__pro\\u0074o__":{"w":6}}',
    ) as Record<string, Record<string, unknown>>;
    expect(parsed).toEqual({ a: { b: [{ c: 4 }] } });
    for (const key of PROTOTYPE_KEYS) expect(Object.hasOwn(parsed.a!, key)).toBe(false);
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype);
  });

  it('finds the key with white space before its colon, and leaves such words as values alone', () => {
    expect(parseUntrustedJson('{"a":{"__proto__" \n\t: {"x":1},"b":"constructor"}}')).toEqual({
      a: { b: 'constructor' },
    });
    expect(parseUntrustedJson('["__proto__","prototype",{"status":"constructor"}]')).toEqual([
      '__proto__',
      'prototype',
      { status: 'constructor' },
    ]);
  });

  it('keeps everything else as JSON.parse reads it, and costs no stack on deep nesting', () => {
    const text = '{"a":[1,"two",{"three":null,"protocol":"x","constructors":[]}],"b":true}';
    expect(parseUntrustedJson(text)).toEqual(JSON.parse(text));
    const depth = 100_000;
    const deep = `${'{"__proto__":{"a":1},"n":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(() => parseUntrustedJson(deep)).not.toThrow();
    expect(() => parseUntrustedJson('{"a":')).toThrow(SyntaxError);
  });
});

describe('prototype keys in callback bodies (documented payloads, bent at every object)', () => {
  let ingress: InProcessIngress;
  beforeAll(async () => {
    ingress = await startRecordingIngress(silentLogger);
  });
  afterAll(async () => {
    await ingress.close();
  });

  it.each(PROVIDERS)(
    '%s: nothing injected reaches a reference, workflow ID, context or search attribute',
    async (provider) => {
      let tried = 0;
      const leaks: string[] = [];
      const answers = new Set<number>();
      for (const seed of PROTO_SEEDS[provider]) {
        for (const body of bentBodies(seed)) {
          ingress.handOvers.length = 0;
          const { status } = await ingress.post(provider, body);
          tried += 1;
          answers.add(status);
          expect(status).toBeLessThan(500);
          for (const handOver of ingress.handOvers) {
            const sent = JSON.stringify(handOver);
            if (sent.includes(INJECTED))
              leaks.push(`${handOver.workflowId}: ${sent.slice(0, 300)} after ${body.slice(0, 300)}`);
          }
        }
      }
      expect(leaks).toEqual([]);
      // The bodies still reach the parsers: the documented ones that stay valid are handed over.
      expect(tried).toBeGreaterThan(5);
      expect([...answers].some((status) => status < 300)).toBe(true);
    },
  );
});
