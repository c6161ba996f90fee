import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { loadConfig, type AppConfig } from '../../src/app-config';
import type { ActivityDeps } from '../../src/activities';
import { createIngressApp } from '../../src/ingress/app';
import { startOnFreePorts, type FreePortsStart } from '../../src/http/free-port';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';
import { dataConverter } from '../../src/temporal/connection';
import { resolveTemporalCli } from '../../src/temporal/binaries';
import { KYC_SEARCH_ATTRIBUTES } from '../../src/contracts';
import { createWorker, defaultWorkflowSource, type WorkflowSource } from '../../src/worker';
import { DEV_DEFAULTS } from './dev-defaults';

export { DEV_DEFAULTS } from './dev-defaults';

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by another helper in this process.
  }
}

/**
 * A real Temporal server with our search attributes: a dev server of the test's own (the pinned
 * CLI from .tools/), or, in the cluster suite, the production-shaped cluster its global setup
 * brought up (KYC_TEST_TEMPORAL_ADDRESS; teardown then only closes the connections). Its
 * namespace keeps closed workflows a day (the dev server's default) unless `retentionDays` says
 * otherwise: a callback older than the retention is stale and starts nothing, so tests that send
 * documented examples as they stand (timestamped when they were written) ask for years.
 */
export async function startTemporal(
  options: {
    withSearchAttributes?: boolean;
    retentionDays?: number;
    /** How its port is picked (test/integration/ports.test.ts hands out a taken one first). */
    ports?: Omit<FreePortsStart, 'what'>;
  } = {},
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const cluster = process.env.KYC_TEST_TEMPORAL_ADDRESS;
  if (cluster && options.withSearchAttributes === false)
    throw new Error('a namespace without our search attributes needs a server of its own');
  // The port is ours to pick (held until the server binds it), and a start that fails on it is retried once.
  const env = cluster
    ? await TestWorkflowEnvironment.createFromExistingServer({ address: cluster })
    : await startOnFreePorts(
        1,
        ([port]) =>
          TestWorkflowEnvironment.createLocal({
            server: {
              executable: { type: 'existing-path', path: resolveTemporalCli() },
              ip: '127.0.0.1',
              port,
              log: { format: 'pretty', level: 'error' },
              // Without them: a cluster as a platform team hands it over, before `kyc setup`.
              searchAttributes: options.withSearchAttributes === false ? [] : KYC_SEARCH_ATTRIBUTES,
              extraArgs: ['--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=true'],
            },
          }),
        { what: 'temporal dev server (TestWorkflowEnvironment)', ...options.ports },
      );
  if (options.retentionDays !== undefined) {
    await env.connection.workflowService.updateNamespace({
      namespace: 'default',
      config: { workflowExecutionRetentionTtl: msToTs(`${options.retentionDays}d`) },
    });
  }
  return env;
}

export function testWorkflowSource(): WorkflowSource {
  const codePath = process.env.KYC_TEST_WORKFLOW_BUNDLE;
  return codePath ? { workflowBundle: { codePath } } : defaultWorkflowSource();
}

/**
 * The variables a test stack runs with: development defaults, the server, a task queue of its own,
 * then the test's. `dedup: false` (the default) sends redeliveries to the workflow, whose own dedup
 * these tests assert (it is what holds across ingress restarts and replicas); the ingress's
 * shortcut is tested in test/unit/ingress-dedup.test.ts.
 */
export function testVariables(
  env: Record<string, string>,
  temporalAddress: string,
  options: { dedup?: boolean } = {},
): Record<string, string> {
  return {
    ...DEV_DEFAULTS,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    ...(options.dedup ? {} : { KYC_INGRESS_DEDUP_ENTRIES: '0' }),
    ...env,
  };
}

/** Configuration as production parses it, from test-specific variables; each call gets its own task queue. */
export function testConfig(env: Record<string, string>, temporalAddress: string): AppConfig {
  return loadConfig(testVariables(env, temporalAddress));
}

/** What every test stack runs: its configuration, a client and our worker, on the given server. */
export async function startWorkerSide(
  env: TestWorkflowEnvironment,
  variables: Record<string, string>,
): Promise<{ config: AppConfig; client: Client; worker: RunningWorker }> {
  const config = loadConfig(variables);
  const client = testClient(env, config);
  return { config, client, worker: await runWorker(env, config) };
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function runWorker(
  env: TestWorkflowEnvironment,
  config: AppConfig,
  activityDeps?: ActivityDeps,
): Promise<RunningWorker> {
  const { worker } = await createWorker(config, {
    connection: env.nativeConnection,
    workflows: testWorkflowSource(),
    ...(activityDeps ? { activityDeps } : {}),
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export function testClient(env: TestWorkflowEnvironment, config: AppConfig): Client {
  return new Client({
    connection: env.connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config),
  });
}

export interface Stack {
  env: TestWorkflowEnvironment;
  config: AppConfig;
  client: Client;
  worker: RunningWorker;
  ingressUrl: string;
  stop(): Promise<void>;
}

/** Temporal, our worker and our ingress (on a free loopback port), all real. */
export async function startStack(env: TestWorkflowEnvironment, variables: Record<string, string>): Promise<Stack> {
  const { config, client, worker } = await startWorkerSide(env, testVariables(variables, env.address));
  const ingress = await listen(createIngressApp({ client, config, logger: silentLogger }), 0, '127.0.0.1');
  return {
    env,
    config,
    client,
    worker,
    ingressUrl: `http://127.0.0.1:${ingress.port}`,
    stop: async () => {
      await ingress.close();
      await worker.stop();
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: lastError });
    await new Promise((r) => setTimeout(r, 200));
  }
}
