/**
 * Worker, ingress and `kyc` reach Temporal through a real TLS front door: nginx terminating
 * TLS in front of the dev server, requiring a client certificate (mTLS) and an API key. All
 * three are configured only by Temporal's standard variables (envconfig).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';
import { postJson } from '../../src/testing/callback-sender';
import { createTemporalClient } from '../../src/temporal/connection';
import { createWorker } from '../../src/worker';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { providerWith } from '../support/providers';
import { startTemporal, testWorkflowSource } from '../support/stack';
import {
  makeTestCertificates,
  startGrpcTlsProxy,
  type GrpcTlsProxy,
  type TestCertificates,
} from '../support/tls-proxy';
import { kycCli } from '../support/durable-stack';

const API_KEY = `test-key-${randomUUID()}`;
const taskQueue = `tls-${randomUUID()}`;

let dir: string;
let env: TestWorkflowEnvironment;
let proxy: GrpcTlsProxy;
let certs: TestCertificates;
/** A provider whose story ends at its callbacks, or at the result they announce: no wait for a poll. */
const chosen = providerWith((story) => story.callbacksDecide || story.announced, 'a story its callbacks end');
let sims: RunningSimulators;
/** The provider's simulator and our settings for it. */
let providerEnv: Record<string, string>;
let temporalEnv: Record<string, string>;
let worker: { worker: Worker; connection: NativeConnection; run: Promise<void> } | undefined;
let ingress: { url: string; close(): Promise<void>; closeClient(): Promise<void> } | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kyc-tls-'));
  certs = makeTestCertificates(dir);
  env = await startTemporal();
  proxy = await startGrpcTlsProxy({ dir, upstream: env.address, certs, apiKey: API_KEY });
  sims = await startSimulators([await chosen.choose()]);
  providerEnv = { ...DEV_DEFAULTS, ...sims.environment };
  // Only Temporal's own variables: what a platform engineer hands to every component.
  temporalEnv = {
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_API_KEY: API_KEY,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
  const config = loadConfig({ ...temporalEnv, ...providerEnv });

  const created = await createWorker(config, { workflows: testWorkflowSource() });
  worker = { ...created, run: created.worker.run() };

  const client = createTemporalClient(config);
  const server = await listen(createIngressApp({ client, config, logger: silentLogger }), 0, '127.0.0.1');
  ingress = {
    url: `http://127.0.0.1:${server.port}`,
    close: () => server.close(),
    closeClient: () => client.connection.close(),
  };
});

afterAll(async () => {
  await ingress?.close();
  await ingress?.closeClient();
  if (worker) {
    if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
    await worker.run;
    await worker.connection.close();
  }
  await proxy?.stop();
  await sims?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// NODE_ENV=production and no provider variable: the CLI needs Temporal's settings only.
const kyc = (variables: Record<string, string>, ...argv: string[]) =>
  kycCli({ NODE_ENV: 'production', ...variables }, ...argv);

describe('Temporal behind TLS, mTLS and an API key', () => {
  it('worker, ingress and kyc connect with the standard variables, and a verification completes', async () => {
    const { provider, kit, story } = chosen.picked;
    const played = kit.stories[story]!.play(sims.of(provider).sim);
    const { reference, context } = played.start;
    const contextArgs = Object.entries(context ?? {}).flatMap(([key, value]) => ['--context', `${key}=${value}`]);

    const started = await kyc(
      temporalEnv,
      'start',
      '--provider',
      provider,
      '--reference',
      reference,
      ...contextArgs,
      '--json',
    );
    expect(started).toMatchObject({ code: 0, stderr: '' });

    for (const { delivery } of played.callbacks) {
      const response = await postJson(`${ingress!.url}/webhooks/${provider}`, delivery.body, delivery.headers);
      expect(response.status).toBe(200);
    }

    const waited = await kyc(temporalEnv, 'wait', provider, reference, '--timeout', '45s', '--json');
    expect(waited).toMatchObject({ code: 0, stderr: '' });
    const { truth } = kit.stories[story]!;
    const ended = JSON.parse(waited.stdout) as { status: string; decision?: string };
    expect([ended.status, ended.decision]).toEqual([truth.status, truth.decision]);

    const readyz = await fetch(`${ingress!.url}/readyz`);
    expect(readyz.status).toBe(200);
  });

  it.each([
    [
      'a client certificate from another CA',
      () => ({
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.otherClientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.otherClientKey,
      }),
      /: TLS failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME and the client certificate/,
    ],
    [
      'a server CA that did not sign the server certificate',
      () => ({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCaCert }),
      /: TLS failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    ],
    [
      'a wrong API key',
      () => ({ TEMPORAL_API_KEY: 'not-the-key' }),
      /: the server refused the API key \(TEMPORAL_API_KEY\)/,
    ],
    [
      'no API key',
      () => ({ TEMPORAL_API_KEY: '', TEMPORAL_TLS: 'true' }),
      /: the server wants credentials: set TEMPORAL_API_KEY or a client certificate/,
    ],
  ])('refuses %s with one clear line', async (_what, change, reason) => {
    const result = await kyc({ ...temporalEnv, ...change() }, 'status', chosen.picked.provider, randomUUID());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      new RegExp(`^kyc: cannot connect to Temporal at ${proxy.address.replace(/\./g, '\\.')}`),
    );
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toContain(API_KEY);
  });

  it('a worker with a wrong API key stops at start-up with the same clear reason', async () => {
    const config = loadConfig({ ...temporalEnv, ...providerEnv, TEMPORAL_API_KEY: 'not-the-key' });
    await expect(createWorker(config, { workflows: testWorkflowSource() })).rejects.toThrow(
      /^cannot connect to Temporal at 127\.0\.0\.1:\d+: the server refused the API key \(TEMPORAL_API_KEY\)/,
    );
  });
});
