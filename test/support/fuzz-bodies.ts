/**
 * The callback fuzzer (fast-check) shared by the in-process suite (test/unit/fuzz-callbacks.test.ts),
 * its variant on a real dev server with a real worker (test/integration/fuzz-callbacks.test.ts)
 * and the long run under `npm run chaos`. Every input starts from one of a provider's documented
 * payloads (so most mutations land inside an otherwise valid envelope, where code runs) and bends
 * it the ways an attacker holding that provider's credential can: fields, types, depth and sizes;
 * prototype keys at every depth; status and event words named after Object.prototype members;
 * control and bidi characters in every text; arrays up to the body limit.
 */
import fc from 'fast-check';
import { type ProviderId } from '../../src/providers/registry';
import {
  CONTROL_CHARACTERS,
  isContainer,
  mapTexts,
  markedCopy,
  PROTOTYPE_KEYS,
  PROTOTYPE_WORDS,
  SEEDS,
  setOwn,
  type Container,
} from './hostile-bodies';

/**
 * The text every prototype-key injection carries (it fits every ID schema). It appears nowhere
 * else in a fuzzed body, so finding it in a hand-over or a workflow ID means an injection worked.
 */
export const INJECTED = 'INJECTED-fuzz-7c1e';

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
  fc.constantFrom(...PROTOTYPE_WORDS),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => 'x'.repeat(n)),
);

/** Markers rendered as text after JSON.stringify: nesting past any recursion limit, arrays up to the body limit. */
interface DeepMarker {
  deep: number;
  kind: 'array' | 'object';
}
interface HugeMarker {
  huge: number;
  /** The JSON text of each item; `null` repeats the value the marker replaced. */
  item: string | null;
}

const deep = fc
  .tuple(fc.integer({ min: 50, max: 100_000 }), fc.constantFrom('array', 'object'))
  .map(([depth, kind]): DeepMarker => ({ deep: depth, kind }));

/** Up to the body limit (1 MB) of small items: the element count is what costs. */
const huge = fc
  .tuple(fc.integer({ min: 501, max: 340_000 }), fc.constantFrom<string | null>('{}', '1', '"x"', 'null', '[]', null))
  .map(([count, item]): HugeMarker => ({ huge: count, item }));

const replacement: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileScalar },
  { weight: 2, arbitrary: deep },
  { weight: 1, arbitrary: huge },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 200 }) },
);

type Mutation =
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'duplicate'; pick: number; times: number }
  /** A prototype key on one object (maybe in place of one of its members), carrying a marked copy of it. */
  | { kind: 'prototype'; pick: number; key: (typeof PROTOTYPE_KEYS)[number]; removeMember: number | null }
  /** A word named after an Object.prototype member in one text. */
  | { kind: 'word'; pick: number; word: string }
  /** A control or bidi character in every text, or in one. */
  | { kind: 'control'; pick: number | null; char: string; where: 'start' | 'end' | 'middle' }
  /** One member replaced by an array up to the body limit (of its own value, or of small items). */
  | { kind: 'huge'; pick: number; marker: HugeMarker }
  /**
   * One array of the document (the whole body, if it is one) grown up to the body limit, with
   * copies of its own items or with empty objects (records that each fail validation).
   */
  | { kind: 'grow'; pick: number; count: number; fill: 'copies' | 'empty' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: replacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(fc.constantFrom('topic', 'status', 'extra', 'Status'), fc.string()),
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
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('prototype' as const),
      pick: fc.nat(),
      key: fc.constantFrom(...PROTOTYPE_KEYS),
      removeMember: fc.option(fc.nat(), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('word' as const),
      pick: fc.nat(),
      word: fc.constantFrom(...PROTOTYPE_WORDS),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('control' as const),
      pick: fc.option(fc.nat(), { nil: null }),
      char: fc.constantFrom(...Object.values(CONTROL_CHARACTERS)),
      where: fc.constantFrom('start' as const, 'end' as const, 'middle' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), pick: fc.nat(), marker: huge }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('grow' as const),
      pick: fc.nat(),
      count: fc.integer({ min: 501, max: 340_000 }),
      fill: fc.constantFrom('copies' as const, 'empty' as const),
    }),
  },
);

/** Every container of a document with each of its slots: where a mutation can land. */
function slots(root: unknown): { parent: Container; key: string | number }[] {
  const found: { parent: Container; key: string | number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isContainer(node) || isMarker(node)) continue;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_v, i) => i) : Object.keys(node);
    for (const key of keys) {
      found.push({ parent: node, key });
      stack.push((node as Record<string | number, unknown>)[key]);
    }
  }
  return found;
}

function objectsIn(root: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = isContainer(root) && !Array.isArray(root) && !isMarker(root) ? [root] : [];
  for (const { parent, key } of slots(root)) {
    const child = (parent as Record<string | number, unknown>)[key];
    if (isContainer(child) && !Array.isArray(child) && !isMarker(child)) found.push(child);
  }
  return found;
}

function isMarker(value: object): boolean {
  return ('deep' in value && 'kind' in value) || ('huge' in value && 'item' in value);
}

function insert(text: string, char: string, where: 'start' | 'end' | 'middle'): string {
  if (where === 'start') return `${char}${text}`;
  if (where === 'end') return `${text}${char}`;
  const at = Math.floor(text.length / 2);
  return `${text.slice(0, at)}${char}${text.slice(at)}`;
}

/** The default body limit (`KYC_BODY_LIMIT`, 1 MB). */
const BODY_LIMIT_BYTES = 1024 * 1024;
/** What the markers of one body may write in all: a huge array fills the body limit and stays just under it. */
const MARKER_BUDGET = 1_000_000;

/** JSON text for a value, writing the markers as text without recursion or a million-element array. */
export function render(value: unknown): string {
  const pieces: string[] = [];
  // Markers write at most about the body limit in all; past it they write `null`.
  let budget = MARKER_BUDGET;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && Object.keys(v).length === 2 && isMarker(v)) {
      let piece: string;
      if ('deep' in v) {
        const marker = v as DeepMarker;
        piece =
          marker.kind === 'array'
            ? `${'['.repeat(marker.deep)}1${']'.repeat(marker.deep)}`
            : `${'{"a":'.repeat(marker.deep)}1${'}'.repeat(marker.deep)}`;
      } else {
        const marker = v as HugeMarker;
        const item = marker.item ?? 'null';
        // Up to the body limit and just past it: no more items than that fit.
        const count = Math.min(marker.huge, Math.floor(MARKER_BUDGET / (item.length + 1)));
        piece = `[${Array.from({ length: count }, () => item).join(',')}]`;
      }
      if (piece.length > budget) piece = 'null';
      budget -= piece.length;
      pieces.push(piece);
      return `\u0001${pieces.length - 1}\u0001`;
    }
    return v;
  });
  const body = text.replace(/"\\u0001(\d+)\\u0001"/g, (_m, index: string) => pieces[Number(index)]!);
  // Cut to the body limit: past it the body is refused (413) on its length alone (and the server
  // may close the connection before the client has sent it all); cut, it is bad JSON, answered 400.
  if (Buffer.byteLength(body) <= BODY_LIMIT_BYTES) return body;
  return Buffer.from(body)
    .subarray(0, BODY_LIMIT_BYTES - 4)
    .toString('utf8');
}

function mutate(seed: unknown, mutations: Mutation[]): string {
  let doc = structuredClone(seed);
  // Arrays grow last: their copies share items, which a later mutation must not make huge in every copy.
  const ordered = [...mutations.filter((m) => m.kind !== 'grow'), ...mutations.filter((m) => m.kind === 'grow')];
  for (const m of ordered) {
    if (m.kind === 'control' && m.pick === null) {
      doc = mapTexts(doc, (text) => insert(text, m.char, m.where));
      continue;
    }
    if (m.kind === 'prototype') {
      const objects = objectsIn(doc);
      if (objects.length === 0) continue;
      const node = objects[m.pick % objects.length]!;
      const copy = markedCopy(node, INJECTED) as Record<string, unknown>;
      const members = Object.keys(node);
      // The member moved into the prototype key: absent from the object, so only a prototype would answer for it.
      if (m.removeMember !== null && members.length > 0) delete node[members[m.removeMember % members.length]!];
      setOwn(node, m.key, m.key === 'constructor' ? { prototype: copy } : copy);
      continue;
    }
    if (m.kind === 'grow') {
      const arrays = [doc, ...slots(doc).map(({ parent, key }) => (parent as Record<string | number, unknown>)[key])];
      const growable = arrays.filter((value): value is unknown[] => Array.isArray(value) && value.length > 0);
      if (growable.length === 0) continue;
      const array = growable[m.pick % growable.length]!;
      // The same items again (by reference: JSON writes each copy), no more than fit in the body limit.
      const items = m.fill === 'empty' ? [{}] : array.slice();
      const itemBytes = Math.max(1, render(items).length / items.length);
      const count = Math.min(m.count, Math.floor(MARKER_BUDGET / itemBytes));
      for (let i = array.length; i < count; i += 1) array.push(items[i % items.length]);
      continue;
    }
    const all = slots(doc);
    if (all.length === 0) break;
    const { parent, key } = all[(m.pick ?? 0) % all.length]!;
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
        if (!Array.isArray(target)) setOwn(target, m.key, m.value);
        break;
      }
      case 'duplicate':
        if (Array.isArray(parent)) parent.push(...Array.from({ length: m.times }, () => structuredClone(slot[key])));
        break;
      case 'word': {
        // A text member, where words live; any member if the document has none.
        const texts = all.filter(
          ({ parent: p, key: k }) => typeof (p as Record<string | number, unknown>)[k] === 'string',
        );
        const target = texts.length ? texts[m.pick % texts.length]! : { parent, key };
        (target.parent as Record<string | number, unknown>)[target.key] = m.word;
        break;
      }
      case 'control':
        if (typeof slot[key] === 'string') slot[key] = insert(slot[key], m.char, m.where);
        break;
      case 'huge':
        slot[key] = { huge: m.marker.huge, item: m.marker.item ?? JSON.stringify(slot[key] ?? null) };
        break;
    }
  }
  return render(doc);
}

/** Whole-body shapes no seed has: the document itself replaced, wrapped, or an array up to the body limit. */
const wholeBody = fc.oneof(
  replacement.map((value) => render(value)),
  huge.map((marker) => render({ ...marker, item: marker.item ?? '{}' })),
  fc.constantFrom('[]', '{}', 'null', '1e20', '"x"', '[[[[[]]]]]', `${'['.repeat(200_000)}${']'.repeat(200_000)}`),
);

/** The bodies fuzzed for one provider: its documented payloads, mutated; sometimes a whole-body shape. */
export function fuzzedBodies(provider: ProviderId): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .tuple(fc.constantFrom(...SEEDS[provider]), fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([seed, ms]) => mutate(seed, ms)),
    },
    { weight: 1, arbitrary: wholeBody },
  );
}

/** What one provider's run found. */
export interface FuzzReport {
  tried: number;
  slowestMs: number;
  /** The start of the slowest body, to reproduce it. */
  slowestBody: string;
  /** The start of the first failing body, if any. */
  failing?: string;
  /** What that body was answered (its status and time, on its fastest sending), so a failure says which bound broke. */
  failingAnswer?: { status: number; ms: number };
  /** Answers past the bound that were sent again, and how many of them were slow every time. */
  slowResent: number;
}

/**
 * A slow answer counts only when it is slow every time the same body is sent, after a pause that
 * doubles each time (1, 2, 4 s): a body that stalls the ingress does so on each sending, while a
 * machine busy with other work (a whole test suite beside this one) slows some answers, not all.
 */
const SENDINGS_OF_A_SLOW_BODY = 4;
const FIRST_PAUSE_MS = 1000;

/** Runs `runs` fuzzed bodies through `post`; the property holds for a body when `accept` says so of its answer. */
export async function fuzzProvider(options: {
  provider: ProviderId;
  runs: number;
  seed: number;
  post: (body: string) => Promise<{ status: number; ms: number }>;
  /** The bound `accept` holds answers to; a body answered slower is sent again before it fails. */
  maxAnswerMs: number;
  accept: (answer: { status: number; ms: number }, body: string) => boolean;
  /** The pause before a slow body's second sending, doubled before each further one (default 1 s). */
  firstPauseMs?: number;
}): Promise<FuzzReport> {
  const report: FuzzReport = { tried: 0, slowestMs: 0, slowestBody: '', slowResent: 0 };
  const tryOne = async (body: string): Promise<boolean> => {
    let answer = await options.post(body);
    for (let sent = 1; sent < SENDINGS_OF_A_SLOW_BODY && answer.status < 500 && answer.ms >= options.maxAnswerMs; ) {
      if (sent === 1) report.slowResent += 1;
      await new Promise((resolve) => setTimeout(resolve, (options.firstPauseMs ?? FIRST_PAUSE_MS) * 2 ** (sent - 1)));
      sent += 1;
      const again = await options.post(body);
      // A 5xx on another sending is kept (it fails the property); otherwise the fastest answer is.
      if (again.status >= 500 || again.ms < answer.ms) answer = again;
    }
    report.tried += 1;
    if (answer.ms > report.slowestMs) {
      report.slowestMs = answer.ms;
      report.slowestBody = body.slice(0, 200);
    }
    const accepted = options.accept(answer, body);
    if (!accepted && !report.failingAnswer) report.failingAnswer = { status: answer.status, ms: Math.round(answer.ms) };
    return accepted;
  };
  const result = await fc.check(fc.asyncProperty(fuzzedBodies(options.provider), tryOne), {
    numRuns: options.runs,
    seed: options.seed,
    endOnFailure: true,
  });
  // Only the start of a failing body: a counterexample can be a megabyte.
  if (result.failed) {
    const answer = report.failingAnswer
      ? ` answered ${report.failingAnswer.status} in ${report.failingAnswer.ms} ms`
      : '';
    report.failing = `${JSON.stringify(result.counterexample).slice(0, 400)}${answer}`;
  }
  return report;
}

export function describeFuzz(reports: Partial<Record<ProviderId, FuzzReport>>): string {
  const rows = Object.entries(reports) as [ProviderId, FuzzReport][];
  const tried = rows.reduce((sum, [, report]) => sum + report.tried, 0);
  const slowest = rows.reduce((max, [, report]) => Math.max(max, report.slowestMs), 0);
  return (
    `${tried} inputs tried, slowest answer ${slowest.toFixed(0)} ms (` +
    rows.map(([provider, report]) => `${provider} ${report.tried} / ${report.slowestMs.toFixed(0)} ms`).join(', ') +
    `), slow answers sent again ${rows.reduce((sum, [, report]) => sum + report.slowResent, 0)}`
  );
}
