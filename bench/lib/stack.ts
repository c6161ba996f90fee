/**
 * What the bench runs against, all on loopback and all its own: a Temporal dev server (SQLite in
 * a temp dir), provider simulators, our worker and ingress as separate processes (so the load
 * generator does not share their event loop), and the baseline worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { KycClient } from '../../src/client';
import { loadConfig, type AppConfig } from '../../src/app-config';
import { providerVariable } from '../../src/providers/settings';
import { startSimulators as startRegisteredSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { startDevServerOnFreePorts, type RunningDevServer } from '../../src/temporal/dev-server';
import { forkChild, waitForHttp, type Child } from './processes';

export const KYC_TASK_QUEUE = 'bench-kyc';
export const MINIMAL_TASK_QUEUE = 'bench-minimal';

const SERVERS = join(__dirname, '..', 'servers');
const INGRESS_MAIN = join(__dirname, '..', '..', 'src', 'ingress-main.js');

/** Every registered provider's simulator, from its testing kit (src/testing/simulators.ts). */
export type Simulators = RunningSimulators;

export function startSimulators(): Promise<Simulators> {
  return startRegisteredSimulators();
}

/** The environment our processes read, as an operator would set it; callbacks drive everything (no polls). */
export function kycEnvironment(sims: Simulators, address: string, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'development',
    KYC_DEV_DEFAULTS: '1',
    // The figures hand over callbacks for new references by the thousand: the start bound, a guard
    // against a credential holder's flood, would otherwise be what they measure.
    KYC_CALLBACK_STARTS_PER_MINUTE: '1000000',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: KYC_TASK_QUEUE,
    ...sims.environment,
    ...Object.fromEntries(sims.providers.map(({ provider }) => [providerVariable(provider, 'CALLBACK_GRACE'), '6h'])),
    // An outage in figure 6's worst path then costs seconds of backoff, not minutes.
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '2s',
    ...extra,
  };
}

export interface TemporalSide {
  dir: string;
  /** The Temporal server the figures run on (a dev server, or a cluster's frontend); its pid when it is ours. */
  devServer: Pick<RunningDevServer, 'address' | 'pid'>;
  client: Client;
  stop(): Promise<void>;
}

export async function startTemporalSide(label: string, sqlitePragmas: string[] = []): Promise<TemporalSide> {
  const dir = mkdtempSync(join(tmpdir(), `kyc-bench-${label}-`));
  const devServer = await startDevServerOnFreePorts({
    dbFile: join(dir, 'temporal.sqlite'),
    namespace: 'default',
    sqlitePragmas,
  });
  const connection = await Connection.connect({ address: devServer.address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    dir,
    devServer,
    client,
    stop: async () => {
      await connection.close();
      await devServer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bundles the verification workflow once, so every worker the bench starts skips webpack. */
export async function prebuiltWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/all-workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}

export interface WorkerOptions {
  kind: 'kyc' | 'minimal';
  env: Record<string, string>;
  logFile: string;
  bundlePath?: string;
  maxCachedWorkflows?: number;
  /** Default: the kind's own queue. */
  taskQueue?: string;
  /** e.g. --cpu-prof to profile the worker. */
  execArgv?: string[];
}

export interface BenchWorker {
  child: Child;
  metricsUrl: string;
}

export async function startWorker(options: WorkerOptions): Promise<BenchWorker> {
  const { child, ready } = await forkChild<{ metricsPort: number }>(join(SERVERS, 'worker.js'), {
    env: {
      ...process.env,
      ...options.env,
      TEMPORAL_TASK_QUEUE: options.taskQueue ?? (options.kind === 'minimal' ? MINIMAL_TASK_QUEUE : KYC_TASK_QUEUE),
      BENCH_WORKER_KIND: options.kind,
      ...(options.bundlePath ? { BENCH_WORKFLOW_BUNDLE: options.bundlePath } : {}),
      ...(options.maxCachedWorkflows !== undefined
        ? { BENCH_MAX_CACHED_WORKFLOWS: String(options.maxCachedWorkflows) }
        : {}),
    },
    logFile: options.logFile,
    readyKey: 'ready',
    execArgv: ['--expose-gc', ...(options.execArgv ?? [])],
  });
  return { child, metricsUrl: `http://127.0.0.1:${ready.metricsPort}/metrics` };
}

export interface BenchIngress {
  child: Child;
  url: string;
}

/**
 * Our ingress through its own entry point (dist/ingress-main), configured by environment, on a
 * port it chooses (PORT=0) and reports over IPC. Each gets its own durable inbox directory (one
 * ingress per directory, by its lock), removed on stop.
 */
export async function startIngress(env: Record<string, string>, logFile: string): Promise<BenchIngress> {
  const inboxDir = mkdtempSync(join(tmpdir(), 'kyc-bench-inbox-'));
  const { child, ready } = await forkChild<{ port: number }>(INGRESS_MAIN, {
    env: { ...process.env, KYC_INBOX_DIR: inboxDir, ...env, PORT: '0' },
    logFile,
    readyKey: 'listening',
  });
  const url = `http://127.0.0.1:${ready.port}`;
  await waitForHttp(`${url}/healthz`);
  const stop = child.stop.bind(child);
  child.stop = async () => {
    await stop();
    rmSync(inboxDir, { recursive: true, force: true });
  };
  return { child, url };
}

/** The same ingress with no limit on hand-overs in flight (the overload figure's baseline). */
export async function startUnboundedIngress(env: Record<string, string>, logFile: string): Promise<BenchIngress> {
  const { child, ready } = await forkChild<number>(join(SERVERS, 'unbounded-ingress.js'), {
    env: { ...process.env, ...env },
    logFile,
    readyKey: 'port',
  });
  return { child, url: `http://127.0.0.1:${ready}` };
}

export async function startBareServers(env: Record<string, string>, logFile: string) {
  const { child, ready } = await forkChild<{ stubbedIngress: number; bareExpress: number; nodeHttp: number }>(
    join(SERVERS, 'bare.js'),
    { env: { ...process.env, ...env }, logFile, readyKey: 'ports' },
  );
  return { child, ports: ready };
}

/** The app's view: configuration as our processes parse it, and the typed client. */
export function appClient(env: Record<string, string>, client: Client): { config: AppConfig; kyc: KycClient } {
  const config = loadConfig(env);
  return { config, kyc: new KycClient(client, config) };
}
