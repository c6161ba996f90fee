/**
 * `kyc setup --check-patches` on a real dev server: one verification started by the workflow as it
 * ran before its patches (a bundle whose `patched()` takes every old branch and records no marker,
 * test/support/before-patches.ts) and one started by the current code. The check reads both runs'
 * histories and lists only the first, for each patch, until it closes.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import { runCli } from '../../src/client/cli';
import { kycWorkflowId, WORKFLOW_PATCHES } from '../../src/contracts';
import type { PatchCheckReport } from '../../src/temporal/patch-check';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import { createWorker } from '../../src/worker';
import { workflowBundleBeforePatches } from '../support/before-patches';
import { eventually, runWorker, startTemporal, testClient, testConfig, type RunningWorker } from '../support/stack';

let env: TestWorkflowEnvironment;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  env = await startTemporal();
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await env?.teardown();
});

async function kyc(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { NODE_ENV: 'production', TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' },
  });
  return { code, stdout, stderr };
}

async function workerBeforePatches(config: ReturnType<typeof testConfig>): Promise<RunningWorker> {
  const { worker } = await createWorker(config, {
    connection: env.nativeConnection,
    workflows: { workflowBundle: await workflowBundleBeforePatches() },
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

/** A provider whose verifications start from a reference alone (no context, no kinds of keys). */
const provider = PROVIDERS.find((id) => {
  const module = providerModule(id);
  return !module.requiredContext?.length && !module.canonicalReference;
})!;

it('lists the open run started before the patches, not the one after, until it closes', async () => {
  // Each worker its own task queue, so each run stays with the code that started it.
  const beforeConfig = testConfig({}, env.address);
  const afterConfig = testConfig({}, env.address);
  const before = await workerBeforePatches(beforeConfig);
  stops.push(before.stop);
  const after = await runWorker(env, afterConfig);
  stops.push(after.stop);
  const olderApp = new KycClient(testClient(env, beforeConfig), beforeConfig);
  const currentApp = new KycClient(testClient(env, afterConfig), afterConfig);
  const [oldReference, newReference] = [randomUUID(), randomUUID()];
  await olderApp.startVerification({ provider, reference: oldReference });
  await currentApp.startVerification({ provider, reference: newReference });
  const oldId = kycWorkflowId(provider, oldReference);

  // Once both have run their first workflow task (where the patches are decided) and are visible.
  const report = await eventually(
    async () => {
      const { code, stdout } = await kyc('setup', '--check-patches', '--json');
      const parsed = JSON.parse(stdout) as PatchCheckReport;
      const settled = code === 0 && parsed.openRuns === 2 && parsed.patches.every((p) => p.openRunsBefore === 1);
      return settled ? parsed : undefined;
    },
    60_000,
    'the check to read both runs with their first workflow task done',
  );
  expect(report.patches).toEqual(WORKFLOW_PATCHES.map((patch) => ({ patch, openRunsBefore: 1, workflowIds: [oldId] })));

  const human = await kyc('setup', '--check-patches');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('namespace default: 2 open verifications read');
  for (const patch of WORKFLOW_PATCHES) {
    expect(human.stdout).toContain(`patch ${patch}: 1 open run(s) started before it; keep its old branch`);
  }
  expect(human.stdout).toContain(`    ${oldId}\n`);
  expect(human.stdout).not.toContain(newReference);

  // The old run ends (here cancelled; in a deployment, by its verdict or deadline): nothing holds the patches back.
  await olderApp.cancelVerification(provider, oldReference, 'test_done');
  const cleared = await eventually(
    async () => {
      const { stdout } = await kyc('setup', '--check-patches');
      return stdout.includes('1 open verifications read') ? stdout : undefined;
    },
    60_000,
    'the old run to close',
  );
  for (const patch of WORKFLOW_PATCHES) {
    expect(cleared).toContain(`patch ${patch}: no open run started before it; its old branch can go`);
  }
}, 180_000);
