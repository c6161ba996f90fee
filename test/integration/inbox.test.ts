import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { KycClient } from '../../src/client';
import { loadConfig } from '../../src/app-config';
import { startAttestrSimulator, type AttestrSimulator } from '../../src/providers/attestr/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import { isTerminal } from '../../src/verification/model';
import { startDevServerOnFreePorts, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../support/ports';
import { startIngressProcess, startWorkerProcess, type NodeProcess } from '../support/processes';
import { eventually } from '../support/stack';
import { DEV_DEFAULTS } from '../support/dev-defaults';

/**
 * Attestr sends each event once and never retries. With Temporal down, its callbacks must still
 * get a 2xx only once they are fsynced in the local inbox, survive a SIGKILL of the ingress, and
 * reach their verifications when Temporal is back, with polling disabled (a huge grace), so only
 * the inbox can deliver the verdicts.
 */
describe('durable local inbox across an ingress SIGKILL (real processes, real dev server)', () => {
  let sim: AttestrSimulator;
  const dirs: string[] = [];
  const processes: NodeProcess[] = [];
  let devServer: RunningDevServer | undefined;
  let connection: Connection | undefined;

  beforeAll(async () => {
    sim = await startAttestrSimulator();
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await connection?.close();
    await devServer?.stop();
    await sim?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const entries = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.entry'));

  it('acknowledged while Temporal is down, kept across a SIGKILL, delivered when Temporal returns', async () => {
    const inboxDir = tempDir('kyc-inbox-');
    // Temporal's ports are chosen now, its address given to the ingress before any server is there.
    const [temporalPort, uiPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = {
      ...DEV_DEFAULTS,
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      KYC_PROVIDERS: 'attestr',
      KYC_INBOX_DIR: inboxDir,
      ATTESTR_API_BASE_URL: sim.apiBaseUrl,
      ATTESTR_AUTH_TOKEN: sim.authToken,
      ATTESTR_CLIENT_SECRET: sim.clientSecret,
      ATTESTR_WEBHOOK_AUTH: `basic:${sim.webhookToken}`,
      // Polling disabled: only the inbox can bring the verdicts.
      ATTESTR_CALLBACK_GRACE: '1000d',
      ATTESTR_EXPIRES_AFTER: '2000d',
      ...(process.env.KYC_TEST_WORKFLOW_BUNDLE ? { KYC_WORKFLOW_BUNDLE: process.env.KYC_TEST_WORKFLOW_BUNDLE } : {}),
    };

    // No server listens on TEMPORAL_ADDRESS.
    const firstIngress = await startIngressProcess(env);
    processes.push(firstIngress);
    const completed = randomUUID();
    const errored = randomUUID();
    const url = `http://127.0.0.1:${firstIngress.port}/webhooks/attestr`;
    const answers = [
      await postJson(url, sim.flowxCallback(completed, 'flowx.completed'), sim.webhookHeaders()),
      await postJson(url, sim.flowxCallback(errored, 'flowx.errored'), sim.webhookHeaders()),
    ];
    expect(answers).toEqual([
      { status: 202, body: { accepted: 1, queued: 1 } },
      { status: 202, body: { accepted: 1, queued: 1 } },
    ]);
    // A refusal while Temporal is down: its dead letter waits in the inbox too.
    const refused = await postJson(url, { event: 'flowx.completed', payload: {} }, sim.webhookHeaders());
    expect(refused.status).toBe(400);
    // Acknowledged means on disk already.
    expect(entries(inboxDir)).toHaveLength(3);

    await firstIngress.kill('SIGKILL');
    expect(entries(inboxDir)).toHaveLength(3);

    // On the ports chosen at first; if another process took one meanwhile, on others (the
    // restarted ingress and the worker are told the new address: the inbox is on disk, not tied to it).
    const chosen = [temporalPort, uiPort];
    devServer = await startDevServerOnFreePorts(
      { dbFile: join(tempDir('kyc-temporal-'), 'temporal.sqlite'), namespace: 'default' },
      { pick: () => (chosen.length ? Promise.resolve(chosen.shift()!) : freePort()) },
    );
    env.TEMPORAL_ADDRESS = devServer.address;
    processes.push(await startWorkerProcess(env));
    processes.push(await startIngressProcess(env));

    connection = await Connection.connect({ address: devServer.address });
    const kyc = new KycClient(new Client({ connection }), loadConfig(env));
    const finalState = (reference: string) =>
      eventually(
        async () => {
          const state = await kyc.getVerification('attestr', reference);
          return isTerminal(state.status) ? state : undefined;
        },
        90_000,
        `verification ${reference} to end`,
      );
    const [completedState, erroredState] = await Promise.all([finalState(completed), finalState(errored)]);
    expect(completedState).toMatchObject({ status: 'COMPLETED', providerStatus: 'flowx.completed', polls: 0 });
    expect(erroredState).toMatchObject({ status: 'FAILED', providerStatus: 'flowx.errored', polls: 0 });
    for (const state of [completedState, erroredState]) {
      expect(state.timeline.map((entry) => `${entry.source} ${entry.outcome}`)).toEqual(['callback applied']);
    }
    const letters = await eventually(async () => {
      const rows = await kyc.listDeadLetters({ provider: 'attestr', reason: 'schema' });
      return rows.length ? rows : undefined;
    });
    expect(letters[0]!.paths).toContain('payload._id');
    await eventually(async () => (entries(inboxDir).length === 0 ? true : undefined), 30_000, 'an empty inbox');
    // Nobody asked Attestr: the verdicts came from the inbox alone.
    expect(sim.requests).toEqual([]);
  }, 180_000);
});
