import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { loadConfig } from '../../src/config';
import { createIngressApp } from '../../src/ingress/app';
import type { Logger } from '../../src/logger';
import { signResult } from '../../src/providers/attestr/signature';
import { PROVIDERS, type ProviderId } from '../../src/verification/model';
import { DEV_DEFAULTS } from '../support/dev-defaults';

/**
 * Property: an authenticated callback, however its fields, types, depth and sizes are bent
 * (within JSON and the body limit), gets a 2xx or a 4xx from the ingress: never a 5xx, never an
 * unhandled exception. Every input starts from one of the provider's documented payloads (the
 * fixtures), so most mutations land inside an otherwise valid envelope, where code runs.
 */

const fixture = (provider: string, name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', provider, name), 'utf8')) as unknown;

const SECRET = 'fuzz-secret';
/** Inputs per provider: enough to reach every field of every seed, small enough for ~20 s in all. */
const RUNS = 130;
const ATTESTR_CLIENT_SECRET = 'fuzz-client-secret';

function signedAttestr(): unknown {
  const body = structuredClone(fixture('attestr', 'flowx-completed.providers-md.json')) as {
    payload: { result: unknown; resultSignature: string };
  };
  body.payload.resultSignature = signResult(body.payload.result, ATTESTR_CLIENT_SECRET);
  return body;
}

/** Each provider's documented payloads: the seeds every mutation starts from. */
const SEEDS: Record<ProviderId, unknown[]> = {
  jumio: [fixture('jumio', 'documented-callback.json')],
  socure: [
    fixture('socure', 'legacy-verification-completed.json'),
    fixture('socure', 'riskos-evaluation-completed.json'),
    ...(fixture('socure', 'seed-events.json') as unknown[]),
  ],
  attestr: [signedAttestr(), fixture('attestr', 'factx-query.docs.json')],
  unico: [fixture('unico', 'seed-finished-ok.json'), fixture('unico', 'seed-finished-expired.json')],
  concedus: [
    ...Object.values(fixture('concedus', 'seed-examples.json') as Record<string, unknown>).filter(Array.isArray),
    ...Object.values(fixture('concedus', 'vendor-examples.json') as Record<string, unknown>).filter(Array.isArray),
  ],
};

/** Values in range for JSON, out of range for code: timestamps, dates, numbers and strings at the edges. */
const hostileScalar = fc.oneof(
  fc.constantFrom<unknown>(
    1e20,
    -1e20,
    8.64e15 + 1,
    -8.64e15 - 1,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    -0,
    0,
    1.5,
    '+275760-09-13T00:00:00.001Z',
    '275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '0000-01-01T00:00:00Z',
    '2025-02-30T25:61:61',
    '1e20',
    'NaN',
    'Infinity',
    '',
    ' ',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'PROCESS_STATE_FINISHED',
    'evaluation_completed',
    'VERIFICATION_COMPLETED',
    'flowx.completed',
    'complianceRecord',
    'identResult',
    'PROCESSED',
    null,
    true,
    false,
    [],
    {},
  ),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => 'x'.repeat(n)),
);

/** Deeply nested data (arrays or objects), up to well past any recursion limit, under the body limit. */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 100_000 }), fc.constantFrom('array', 'object'))
  .map(([depth, kind]) => ({ deep: depth, kind }) as const);

type Replacement = unknown;
const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 5, arbitrary: hostileScalar },
  { weight: 2, arbitrary: deep },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 200 }) },
);

type Mutation =
  | { kind: 'replace'; pick: number; value: Replacement }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: Replacement }
  | { kind: 'duplicate'; pick: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: replacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'topic', 'status', 'extra', 'Status'), fc.string()),
      value: replacement,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('duplicate' as const),
      pick: fc.nat(),
      times: fc.integer({ min: 2, max: 300 }),
    }),
  },
);

type Container = Record<string, unknown> | unknown[];
const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** Every container of a document with each of its slots: where a mutation can land. */
function slots(root: unknown): { parent: Container; key: string | number }[] {
  const found: { parent: Container; key: string | number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isContainer(node)) continue;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_v, i) => i) : Object.keys(node);
    for (const key of keys) {
      found.push({ parent: node, key });
      stack.push((node as Record<string | number, unknown>)[key]);
    }
  }
  return found;
}

/** JSON text for a value, writing the deep markers as nesting without recursion. */
function render(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && 'deep' in v && 'kind' in v && Object.keys(v).length === 2) {
      const marker = v as { deep: number; kind: 'array' | 'object' };
      return `\u0001${marker.kind}:${marker.deep}\u0001`;
    }
    return v;
  }).replace(/"\\u0001(array|object):(\d+)\\u0001"/g, (_m, kind: string, depth: string) => {
    const n = Number(depth);
    return kind === 'array' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}

function mutate(seed: unknown, mutations: Mutation[]): string {
  const doc = structuredClone(seed);
  for (const m of mutations) {
    const all = slots(doc);
    if (all.length === 0) break;
    const { parent, key } = all[m.pick % all.length]!;
    const slot = parent as Record<string | number, unknown>;
    switch (m.kind) {
      case 'replace':
        slot[key] = m.value;
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete slot[key];
        break;
      case 'add': {
        const target = isContainer(slot[key]) && !Array.isArray(slot[key]) ? slot[key] : parent;
        if (!Array.isArray(target))
          Object.defineProperty(target, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        break;
      }
      case 'duplicate':
        if (Array.isArray(parent)) parent.push(...Array.from({ length: m.times }, () => structuredClone(slot[key])));
        break;
    }
  }
  return render(doc);
}

/** Whole-body shapes no seed has: the document itself replaced or wrapped. */
const wholeBody = fc.oneof(
  replacement.map((value) => render(value)),
  fc.constantFrom('[]', '{}', 'null', '1e20', '"x"', '[[[[[]]]]]', `${'['.repeat(200_000)}${']'.repeat(200_000)}`),
);

/** A Temporal client that accepts every hand-over, as the ingress unit tests use. */
function acceptingClient(): Client {
  return {
    connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
    workflowService: { getSystemInfo: async () => ({}) },
    workflow: {
      signalWithStart: async () => ({}),
      getHandle: () => ({ signal: async () => undefined }),
    },
  } as unknown as Client;
}

describe('callback fuzzing (fast-check): authenticated, mutated documented payloads', () => {
  const env: Record<string, string> = { ...DEV_DEFAULTS, KYC_PROVIDERS: PROVIDERS.join(','), ATTESTR_CLIENT_SECRET };
  for (const p of PROVIDERS) env[`${p.toUpperCase()}_WEBHOOK_AUTH`] = `bearer:${SECRET}`;
  const config = loadConfig(env);
  const internalErrors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => void internalErrors.push(`${message} ${JSON.stringify(fields)}`),
  };
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => void crashes.push(err);
  let server: Server;
  let base: string;
  let tried = 0;

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    server = createIngressApp({ client: acceptingClient(), config, logger }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    process.stdout.write(`fuzz-callbacks: ${tried} inputs tried, ${PROVIDERS.length} providers, 0 server errors\n`);
  });

  const post = async (provider: ProviderId, body: string): Promise<number> => {
    tried += 1;
    const res = await fetch(`${base}/webhooks/${provider}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  };

  it.each(PROVIDERS)('%s: the documented payloads are accepted as they stand', async (provider) => {
    for (const seed of SEEDS[provider]) expect(await post(provider, JSON.stringify(seed))).toBe(200);
  });

  /** Every timestamp-like field of a document set to `value`; a deep `extra` member added to every object. */
  const bend = (seed: unknown, value: unknown): string => {
    const doc = structuredClone(seed);
    for (const { parent, key } of slots(doc)) {
      if (typeof key === 'string' && /time|At$|created|modified|updated|sent/i.test(key)) {
        (parent as Record<string, unknown>)[key] = value;
      }
    }
    for (const { parent, key } of slots(doc)) {
      const child = (parent as Record<string | number, unknown>)[key];
      if (isContainer(child) && !Array.isArray(child)) child.extra = { deep: 20_000, kind: 'array' };
    }
    return render(doc);
  };

  it.each(PROVIDERS)(
    '%s: a timestamp of 1e20, a year-275760 date and deep nesting inside a valid envelope get no 5xx',
    async (provider) => {
      internalErrors.length = 0;
      for (const seed of SEEDS[provider]) {
        for (const value of [1e20, -1e20, '+275760-09-13T00:00:00.001Z', '275760-01-01T00:00:00']) {
          expect(await post(provider, bend(seed, value))).toBeLessThan(500);
        }
      }
      expect(internalErrors).toEqual([]);
    },
  );

  it.each(PROVIDERS)(
    '%s: no mutation of fields, types, depth or size gets a 5xx or an unhandled exception',
    async (provider) => {
      const input = fc.oneof(
        {
          weight: 9,
          arbitrary: fc
            .tuple(fc.constantFrom(...SEEDS[provider]), fc.array(mutation, { minLength: 1, maxLength: 4 }))
            .map(([seed, ms]) => mutate(seed, ms)),
        },
        { weight: 1, arbitrary: wholeBody },
      );
      internalErrors.length = 0;
      crashes.length = 0;
      const result = await fc.check(
        fc.asyncProperty(input, async (body) => (await post(provider, body)) < 500),
        { numRuns: RUNS, seed: 20261129 + PROVIDERS.indexOf(provider), endOnFailure: true },
      );
      // Only the start of a failing body: a counterexample can be a megabyte.
      const failing = result.failed ? JSON.stringify(result.counterexample).slice(0, 400) : undefined;
      expect(failing).toBeUndefined();
      expect(internalErrors).toEqual([]);
      expect(crashes).toEqual([]);
    },
    60_000,
  );
});
