import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import type { Logger } from '../../src/logger';
import { describeFuzz, fuzzProvider, INJECTED, render, type FuzzReport } from '../support/fuzz-bodies';
import { SEEDS, startRecordingIngress, type InProcessIngress } from '../support/hostile-bodies';

/**
 * Property: an authenticated callback, however its fields, types, depth and sizes are bent
 * (within JSON and the body limit), with prototype keys at any depth, words named after
 * Object.prototype members, control and bidi characters in its texts and arrays up to the body
 * limit, gets a 2xx or a 4xx from the ingress within a second: never a 5xx, never an unhandled
 * exception, and nothing a prototype key carries is ever handed to Temporal. The same inputs run
 * against a real dev server and worker in test/integration/fuzz-callbacks.test.ts.
 */

/** Inputs per provider: enough to reach every field of every seed, small enough for ~20 s in all. */
const RUNS = 130;

describe('callback fuzzing (fast-check): authenticated, mutated documented payloads', () => {
  const internalErrors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => void internalErrors.push(`${message} ${JSON.stringify(fields)}`),
  };
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => void crashes.push(err);
  let ingress: InProcessIngress;
  const reports: Partial<Record<ProviderId, FuzzReport>> = {};

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    ingress = await startRecordingIngress(logger);
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await ingress.close();
    process.stdout.write(`fuzz-callbacks: ${describeFuzz(reports)}, 0 server errors\n`);
  });

  it.each(PROVIDERS)('%s: the documented payloads are accepted as they stand', async (provider) => {
    for (const seed of SEEDS[provider]) expect((await ingress.post(provider, JSON.stringify(seed))).status).toBe(200);
  });

  /** Every timestamp-like field of a document set to `value`; a deep `extra` member added to every object. */
  const bend = (seed: unknown, value: unknown): string => {
    const doc = structuredClone(seed);
    const objects: Record<string, unknown>[] = [];
    const pending: unknown[] = [doc];
    while (pending.length > 0) {
      const node = pending.pop();
      if (typeof node !== 'object' || node === null) continue;
      if (!Array.isArray(node)) objects.push(node as Record<string, unknown>);
      pending.push(...Object.values(node));
    }
    for (const node of objects) {
      for (const key of Object.keys(node)) {
        if (/time|At$|created|modified|updated|sent/i.test(key)) node[key] = value;
      }
      node.extra = { deep: 20_000, kind: 'array' };
    }
    return render(doc);
  };

  it.each(PROVIDERS)(
    '%s: a timestamp of 1e20, a year-275760 date and deep nesting inside a valid envelope get no 5xx',
    async (provider) => {
      internalErrors.length = 0;
      for (const seed of SEEDS[provider]) {
        for (const value of [1e20, -1e20, '+275760-09-13T00:00:00.001Z', '275760-01-01T00:00:00']) {
          expect((await ingress.post(provider, bend(seed, value))).status).toBeLessThan(500);
        }
      }
      expect(internalErrors).toEqual([]);
    },
  );

  it.each(PROVIDERS)(
    '%s: no mutation gets a 5xx, an answer slower than a second, or an injected value handed over',
    async (provider) => {
      internalErrors.length = 0;
      crashes.length = 0;
      const report = await fuzzProvider({
        provider,
        runs: RUNS,
        seed: 20261129 + PROVIDERS.indexOf(provider),
        post: async (body) => {
          ingress.handOvers.length = 0;
          return ingress.post(provider, body);
        },
        maxAnswerMs: 1000,
        accept: (answer) =>
          answer.status < 500 &&
          answer.ms < 1000 &&
          !ingress.handOvers.some((handOver) => JSON.stringify(handOver).includes(INJECTED)),
      });
      reports[provider] = report;
      expect(report.failing).toBeUndefined();
      expect(internalErrors).toEqual([]);
      expect(crashes).toEqual([]);
    },
    120_000,
  );
});

describe('fuzzProvider, the judge of each fuzzed body', () => {
  const provider = PROVIDERS[0]!;
  const judge = (post: (body: string) => Promise<{ status: number; ms: number }>) =>
    fuzzProvider({
      provider,
      runs: 5,
      seed: 7,
      post,
      maxAnswerMs: 100,
      accept: (answer) => answer.status < 500 && answer.ms < 100,
      firstPauseMs: 1,
    });

  it('lets a body through that was slow once (a busy machine), and counts the resending', async () => {
    const seen = new Set<string>();
    const report = await judge(async (body) => {
      const first = !seen.has(body);
      seen.add(body);
      return { status: 200, ms: first ? 500 : 5 };
    });
    expect(report.failing).toBeUndefined();
    expect(report.slowResent).toBe(5);
  });

  it('fails a body slow on every sending, and one answered 5xx at once, saying what it was answered', async () => {
    const slow = await judge(async () => ({ status: 200, ms: 500 }));
    expect(slow.failing).toMatch(/ answered 200 in 500 ms$/);
    let sendings = 0;
    const broken = await judge(async () => {
      sendings += 1;
      return { status: 500, ms: 5 };
    });
    expect(broken.failing).toMatch(/ answered 500 in 5 ms$/);
    // A 5xx is never sent again: only slowness may be the machine's.
    expect(sendings).toBe(1);
  });
});
