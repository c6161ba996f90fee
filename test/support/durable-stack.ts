import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import { loadConfig, type AppConfig } from '../../src/app-config';
import { createDurableIngress, type DurableIngress } from '../../src/ingress/compose';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';
import { DEV_DEFAULTS } from './dev-defaults';
import { runWorker, testClient, type RunningWorker } from './stack';

/** The stack as the mains compose it: worker, and the ingress with its local inbox and dead letters. */
export interface DurableStack {
  config: AppConfig;
  client: Client;
  worker: RunningWorker;
  ingress: DurableIngress;
  ingressUrl: string;
  /** The variables the stack was configured with, for the CLI (same task queue, same key). */
  variables: Record<string, string>;
  /** Runs `kyc …` in process with the stack's environment. */
  kyc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function startDurableStack(
  env: TestWorkflowEnvironment,
  variables: Record<string, string>,
): Promise<DurableStack> {
  const inboxDir = mkdtempSync(join(tmpdir(), 'kyc-inbox-'));
  const all = {
    ...DEV_DEFAULTS,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    KYC_INBOX_DIR: inboxDir,
    ...variables,
  };
  const config = loadConfig(all);
  const client = testClient(env, config);
  const worker = await runWorker(env, config);
  const ingress = await createDurableIngress({ client, config, logger: silentLogger });
  const server = await listen(ingress.app, 0, '127.0.0.1');
  return {
    config,
    client,
    worker,
    ingress,
    ingressUrl: `http://127.0.0.1:${server.port}`,
    variables: all,
    kyc: async (...argv) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: all });
      return { code, stdout, stderr };
    },
    stop: async () => {
      await server.close();
      await ingress.close();
      await worker.stop();
      rmSync(inboxDir, { recursive: true, force: true });
    },
  };
}
