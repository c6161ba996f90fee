/**
 * The compiled stack as `npm start` runs it (`dist/start.js`, `npm run build` first) against a real
 * dev server and registered providers' simulators, seen from outside: its public and metrics ports,
 * everything it writes, and a client on its task queue. Registered once with beforeAll/afterAll;
 * read the fields inside tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { loadConfig } from '../../src/app-config';
import { KycClient } from '../../src/client';
import type { ProviderId } from '../../src/providers/registry';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { DEV_DEFAULTS } from './dev-defaults';
import { freePort } from './ports';
import { eventually, startTemporal } from './stack';

const entry = join(__dirname, '../../dist/start.js');

export interface RunningStart {
  readonly sims: RunningSimulators;
  readonly taskQueue: string;
  /** The public port (webhooks). */
  readonly port: number;
  readonly metricsPort: number;
  /** Everything the process wrote, stdout and stderr. */
  output(): string;
  /** A client of the verifications on the process's task queue. */
  readonly kyc: KycClient;
  /** Stops the process with SIGINT; its exit code. */
  stop(): Promise<number | null>;
  /** The text of METRICS_PORT's /metrics, once the worker runtime has counted a completed workflow. */
  metricsOnceAWorkflowCompleted(): Promise<string>;
}

export function useRunningStart(
  providers: readonly ProviderId[] | (() => Promise<readonly ProviderId[]>),
): RunningStart {
  const state = {} as {
    env: TestWorkflowEnvironment;
    sims: RunningSimulators;
    child: ChildProcess;
    exited: Promise<number | null>;
    port: number;
    metricsPort: number;
    kyc: KycClient;
  };
  let output = '';
  let inboxDir: string | undefined;
  const taskQueue = `obs-${randomUUID()}`;

  beforeAll(async () => {
    state.env = await startTemporal();
    state.sims = await startSimulators(typeof providers === 'function' ? await providers() : providers);
    [state.port, state.metricsPort] = [await freePort(), await freePort()];
    // An inbox of its own: the default (.data/inbox) is locked by whichever stack started first.
    inboxDir = mkdtempSync(join(tmpdir(), 'kyc-running-start-'));
    const variables = {
      ...DEV_DEFAULTS,
      ...state.sims.environment,
      TEMPORAL_TASK_QUEUE: taskQueue,
      KYC_INBOX_DIR: inboxDir,
    };
    state.child = spawn(process.execPath, [entry], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: state.env.address,
        PORT: String(state.port),
        METRICS_PORT: String(state.metricsPort),
        LOG_LEVEL: 'debug',
        // As `npm start` runs it.
        ...variables,
      },
    });
    state.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    state.child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const child = state.child;
    state.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    state.kyc = new KycClient(new Client({ connection: state.env.connection }), loadConfig(variables));
    // Ready once it prints its metrics line; a process that exits first fails at once, with its output.
    let ready = false;
    await Promise.race([
      eventually(async () => (output.includes('metrics: http') ? true : undefined), 45_000, 'the stack to start').then(
        () => void (ready = true),
      ),
      state.exited.then((code) => {
        if (!ready) throw new Error(`dist/start.js exited (${code}) before it was ready:\n${output}`);
      }),
    ]);
  });

  afterAll(async () => {
    if (state.child && state.child.exitCode === null) {
      state.child.kill('SIGINT');
      await state.exited;
    }
    await state.sims?.close();
    await state.env?.teardown();
    if (inboxDir) rmSync(inboxDir, { recursive: true, force: true });
  });

  return {
    get sims() {
      return state.sims;
    },
    taskQueue,
    get port() {
      return state.port;
    },
    get metricsPort() {
      return state.metricsPort;
    },
    output: () => output,
    get kyc() {
      return state.kyc;
    },
    stop: async () => {
      state.child.kill('SIGINT');
      return state.exited;
    },
    metricsOnceAWorkflowCompleted: () =>
      eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${state.metricsPort}/metrics`)).text();
          return /^temporal_workflow_completed\{/m.test(text) ? text : undefined;
        },
        30_000,
        'worker runtime metrics',
      ),
  };
}
