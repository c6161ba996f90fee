/**
 * What the hostile-body tests share: each provider's documented payloads (the fixtures), the ways
 * an attacker holding one provider's credential bends them (prototype keys at every depth, status
 * words that name Object.prototype members, control and bidi characters), and an in-process
 * ingress whose Temporal client records every hand-over instead of making it.
 */
import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, type AppConfig } from '../../src/app-config';
import { DEV_DEFAULTS } from './dev-defaults';
import { loadSeeds, seedVariables } from './seeds';
import { describeNamespaceKeepingYears } from './fake-temporal';
import { createIngressApp } from '../../src/ingress/app';
import type { Logger } from '../../src/logger';
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';

export { fixture } from './seeds';

export const WEBHOOK_SECRET = 'hostile-secret';

/** Each provider's documented payloads: where every bent body starts from. */
export const SEEDS: Record<ProviderId, unknown[]> = Object.fromEntries(
  PROVIDERS.map((provider) => [provider, loadSeeds(provider).bodies()]),
) as Record<ProviderId, unknown[]>;

/** Names every object inherits: as a status word, a plain-object lookup would find a function. */
export const PROTOTYPE_WORDS = [
  'constructor',
  'toString',
  'hasOwnProperty',
  '__proto__',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
] as const;

/** One of each kind of character that must never reach a terminal or a log line raw. */
export const CONTROL_CHARACTERS = {
  NUL: '\u0000',
  ESC: '\u001b',
  CSI: '\u009b',
  NEL: '\u0085',
  CR: '\r',
  LF: '\n',
  DEL: '\u007f',
  LRE: '\u202a',
  RLO: '\u202e',
  LRI: '\u2066',
  PDI: '\u2069',
  LINE_SEPARATOR: '\u2028',
} as const;

/** The keys whose own copies would become prototypes or reach one. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export type Container = Record<string, unknown> | unknown[];
export const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  isContainer(value) && !Array.isArray(value);

/** Every object of a document, the root included, in document order. */
export function objectsOf(root: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.shift();
    if (!isContainer(node)) continue;
    if (!Array.isArray(node)) found.push(node);
    pending.push(...(Array.isArray(node) ? node : Object.values(node)));
  }
  return found;
}

/** Sets an own member, even one named `__proto__` (plain assignment would set the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value with every text in it replaced by `marker` (numbers and the rest kept), so it still fits a schema. */
export function markedCopy(value: unknown, marker: string): unknown {
  if (typeof value === 'string') return marker;
  if (Array.isArray(value)) return value.map((item) => markedCopy(item, marker));
  if (isContainer(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, markedCopy(item, marker));
    return copy;
  }
  return value;
}

/** Every text of a document, at every depth, replaced by `replace(text)`. */
export function mapTexts(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapTexts(item, replace));
  if (isContainer(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, mapTexts(item, replace));
    return copy;
  }
  return value;
}

/** One hand-over the ingress made: what would have reached Temporal. */
export interface HandOver {
  workflowId: string;
  /** Everything sent: start input, signal arguments, search attributes, summary. */
  sent: unknown;
}

/** A Temporal client that accepts every hand-over and records it. */
export function recordingClient(handOvers: HandOver[]): Client {
  return {
    connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
    workflowService: { getSystemInfo: async () => ({}), describeNamespace: describeNamespaceKeepingYears },
    workflow: {
      signalWithStart: async (_type: string, options: { workflowId: string }) => {
        handOvers.push({ workflowId: options.workflowId, sent: options });
        return {};
      },
      getHandle: (workflowId: string) => ({
        signal: async (_signal: unknown, ...args: unknown[]) => void handOvers.push({ workflowId, sent: args }),
      }),
    },
  } as unknown as Client;
}

/** Every provider enabled, each authenticated by one bearer token (and taking its seeds as they are, signatures checked). */
export function allProvidersConfig(extra: Record<string, string> = {}): AppConfig {
  const env: Record<string, string> = {
    ...DEV_DEFAULTS,
    KYC_PROVIDERS: PROVIDERS.join(','),
    ...seedVariables(),
    // Every hand-over is recorded, a redelivery's too: nothing is hidden as "already handed over".
    KYC_INGRESS_DEDUP_ENTRIES: '0',
    ...extra,
  };
  for (const provider of PROVIDERS) env[`${provider.toUpperCase()}_WEBHOOK_AUTH`] = `bearer:${WEBHOOK_SECRET}`;
  return loadConfig(env);
}

export interface InProcessIngress {
  base: string;
  handOvers: HandOver[];
  post(provider: ProviderId | 'healthz', body: string): Promise<{ status: number; text: string; ms: number }>;
  close(): Promise<void>;
}

/** The real ingress on a loopback port, with a recording client. */
export async function startRecordingIngress(
  logger: Logger,
  config: AppConfig = allProvidersConfig(),
): Promise<InProcessIngress> {
  const handOvers: HandOver[] = [];
  const server: Server = createIngressApp({ client: recordingClient(handOvers), config, logger }).listen(
    0,
    '127.0.0.1',
  );
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    handOvers,
    post: async (provider, body) => {
      const started = performance.now();
      const answer =
        provider === 'healthz'
          ? await send(`${base}/healthz`, 'GET', {})
          : await send(`${base}/webhooks/${provider}`, 'POST', bearerJson(), body);
      return { ...answer, ms: performance.now() - started };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The recording ingress for a test file: started before its tests, closed after; the returned
 * function gives the running one.
 */
export function useRecordingIngress(logger: Logger): () => InProcessIngress {
  let ingress: InProcessIngress | undefined;
  beforeAll(async () => {
    ingress = await startRecordingIngress(logger);
  });
  afterAll(async () => {
    await ingress?.close();
  });
  return () => {
    if (!ingress) throw new Error('the recording ingress runs only inside the tests');
    return ingress;
  };
}

/** Fits every ID schema, so the only thing that can stop a body carrying it is the parse. */
export const INJECTED = 'INJECTED-9f3b2c';

/**
 * A body whose required field only a prototype key would supply: answered 400 naming that field,
 * and nothing handed over. A computed `['__proto__']` key is an own member, so JSON.stringify
 * writes it as sent.
 */
export async function expectRefusedWithout(
  ingress: InProcessIngress,
  provider: ProviderId,
  body: unknown,
  path: string,
): Promise<void> {
  ingress.handOvers.length = 0;
  const answer = await ingress.post(provider, JSON.stringify(body));
  expect(answer.status).toBe(400);
  expect((JSON.parse(answer.text) as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toContain(path);
  expect(ingress.handOvers).toEqual([]);
}

export function bearerJson(): Record<string, string> {
  return { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_SECRET}` };
}

/**
 * One HTTP request, answered with its status and text. Unlike fetch, the answer counts even when
 * the server answers before it has read the whole body and closes the connection (a body over the
 * limit is refused from its Content-Length): the upload's own error then changes nothing.
 */
export function send(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = request(url, {
      method,
      headers: { ...headers, ...(data ? { 'Content-Length': String(data.length) } : {}) },
      // A connection of its own: one the server is closing after its last answer is never reused.
      agent: false,
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.end(data);
  });
}

/**
 * The workflow tasks of a history that failed in the worker. A task the server refused because
 * new events (a signal) arrived while it completed the workflow (cause UNHANDLED_COMMAND) is
 * Temporal's own way to hand those events over, retried at once: not a failure of ours, and not
 * counted by the worker's task-failure metric either.
 */
export function failedWorkflowTasks(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .map((event) => event.workflowTaskFailedEventAttributes)
    .filter(
      (failed): failed is temporal.api.history.v1.IWorkflowTaskFailedEventAttributes =>
        !!failed &&
        failed.cause !== temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    )
    .map((failed) => failed.failure?.message ?? 'no message');
}
