/**
 * `kyc setup` against a cluster that has never seen us (a dev server started without our search
 * attributes), and the ingress's readiness saying what is missing until it has run.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/temporal/connection';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';
import { eventually, startTemporal } from '../support/stack';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { PROVIDERS, providerModule } from '../../src/providers/registry';

const names = KYC_SEARCH_ATTRIBUTES.map((key) => key.name);

let env: TestWorkflowEnvironment;
let ingress: { url: string; close(): Promise<void> };
let closeClient: () => Promise<void>;

beforeAll(async () => {
  env = await startTemporal({ withSearchAttributes: false });
  const config = loadConfig({ ...DEV_DEFAULTS, TEMPORAL_ADDRESS: env.address, KYC_PROVIDERS: PROVIDERS[0]! });
  const client = createTemporalClient(config);
  closeClient = () => client.connection.close();
  const server = await listen(createIngressApp({ client, config, logger: silentLogger }), 0, '127.0.0.1');
  ingress = { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
});

afterAll(async () => {
  await ingress?.close();
  await closeClient?.();
  await env?.teardown();
});

async function kyc(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // Only Temporal's settings, as a platform engineer runs it; the lifetimes are the shipped defaults.
    env: { NODE_ENV: 'production', TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' },
  });
  return { code, stdout, stderr };
}

it('readiness names the missing search attributes; kyc setup registers them, idempotently, and checks retention', async () => {
  const before = await fetch(`${ingress.url}/readyz`);
  expect(before.status).toBe(503);
  expect(before.headers.get('retry-after')).toBe('5');
  expect(await before.json()).toEqual({
    status: 'unavailable',
    error: 'search_attributes_missing',
    missing: names,
  });

  const first = await kyc('setup', '--json');
  expect(first).toMatchObject({ code: 0, stderr: '' });
  const report = JSON.parse(first.stdout);
  expect(report.namespace).toBe('default');
  expect(report.searchAttributes).toEqual(names.map((name) => ({ name, type: 'KEYWORD', result: 'created' })));
  // The dev server keeps closed workflows for a day; with the shipped defaults a verification may stay
  // open 38 days: a provisional decision just before a 7-day deadline waits 30 days for the final one, then a day.
  expect(report.retentionSeconds).toBeGreaterThan(0);
  expect(report.longestLifetimeSeconds).toBe(38 * 86_400);
  expect(report.warnings).toEqual([
    expect.stringMatching(/^retention \S+ is shorter than the longest verification lifetime 38d: /),
  ]);

  // Once set up, readiness turns green (the server's attribute cache may take a moment).
  await eventually(
    async () => ((await fetch(`${ingress.url}/readyz`)).status === 200 ? true : undefined),
    30_000,
    'ready',
  );

  const again = await kyc('setup');
  expect(again.code).toBe(0);
  const lines = again.stdout.trimEnd().split('\n');
  expect(lines.slice(0, names.length + 1)).toEqual([
    'namespace default',
    ...names.map((name) => `  search attribute ${name} (KEYWORD): exists`),
  ]);
  expect(lines[names.length + 1]).toMatch(/^ {2}retention \S+( \S+)? \(longest verification lifetime 38d\)$/);
  expect(again.stderr).toMatch(
    /^kyc: warning: retention \S+( \S+)? is shorter than the longest verification lifetime 38d: /,
  );
  expect(again.stderr.trimEnd().split('\n')).toHaveLength(1);

  // A verification with our attributes can now be started on this cluster.
  const started = await kyc(
    'start',
    '--provider',
    PROVIDERS[0]!,
    '--reference',
    randomUUID(),
    // Whatever context the provider needs to start, as its module documents it.
    ...(providerModule(PROVIDERS[0]!).requiredContext ?? []).flatMap(({ key, example }) => [
      '--context',
      `${key}=${example}`,
    ]),
  );
  expect(started.code).toBe(0);
});
