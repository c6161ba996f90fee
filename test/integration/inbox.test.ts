import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { KycClient } from '../../src/client';
import { loadConfig } from '../../src/app-config';
import { kycWorkflowId } from '../../src/contracts';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { CallbackValidationError } from '../../src/providers/types';
import { postJson } from '../../src/testing/callback-sender';
import type { PlayedStory, ProviderStory } from '../../src/testing/kit';
import type { RunningSimulator } from '../../src/testing/simulator-http';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { isTerminal } from '../../src/verification/model';
import { startDevServerOnFreePorts, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../support/ports';
import { startIngressProcess, startWorkerProcess, type NodeProcess } from '../support/processes';
import { providerQuestions } from '../support/provider-questions';
import { eventually } from '../support/stack';
import { DEV_DEFAULTS } from '../support/dev-defaults';

/**
 * A provider that sends each callback once and never retries (the first registered one whose
 * callbacks may start a verification): with Temporal down, its callbacks must still get a 2xx only
 * once they are fsynced in the local inbox, survive a SIGKILL of the ingress, and reach their
 * verifications when Temporal is back, with polling disabled (a huge grace), so only the inbox can
 * deliver the verdicts.
 */
const provider = PROVIDERS.find((id) => !providerModule(id).retriesCallbacks && !providerModule(id).appStartsOnly);

/** A token the refused body below carries: a body authenticated without any of the provider's own credentials. */
const REFUSAL_TOKEN = `refusal-${randomUUID()}`;

describe('durable local inbox across an ingress SIGKILL (real processes, real dev server)', () => {
  let sims: RunningSimulators;
  const dirs: string[] = [];
  const processes: NodeProcess[] = [];
  let devServer: RunningDevServer | undefined;
  let connection: Connection | undefined;

  beforeAll(async () => {
    if (!provider) throw new Error('no registered provider that never retries its callbacks may start a verification');
    sims = await startSimulators([provider]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await connection?.close();
    await devServer?.stop();
    await sims?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const entries = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.entry'));

  /** Stories whose callbacks alone end them, one per end (a verdict needs no retrieval: nobody is asked). */
  function storiesByEnd(): ProviderStory<RunningSimulator>[] {
    const { kit } = sims.of(provider!);
    const ending = Object.values(kit.stories).filter((story) => story.callbacksDecide && !story.announced);
    return ending.filter(
      (story, index) => ending.findIndex((each) => each.truth.status === story.truth.status) === index,
    );
  }

  it('acknowledged while Temporal is down, kept across a SIGKILL, delivered when Temporal returns', async () => {
    const id = provider!;
    const { sim } = sims.of(id);
    const stories = storiesByEnd().slice(0, 2);
    expect(stories.length).toBeGreaterThan(0);
    const inboxDir = tempDir('kyc-inbox-');
    // Temporal's ports are chosen now, its address given to the ingress before any server is there.
    const [temporalPort, uiPort] = [await freePort(), await freePort()];
    const webhookAuth = providerVariable(id, 'WEBHOOK_AUTH');
    const env: Record<string, string> = {
      ...DEV_DEFAULTS,
      ...sims.environment,
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      KYC_INBOX_DIR: inboxDir,
      // The provider's own rule, or a bearer token for the body that is none of its callbacks.
      [webhookAuth]: `${sims.environment[webhookAuth]!};bearer:${REFUSAL_TOKEN}`,
      // Polling disabled: only the inbox can bring the verdicts.
      [providerVariable(id, 'CALLBACK_GRACE')]: '1000d',
      [providerVariable(id, 'EXPIRES_AFTER')]: '2000d',
      ...(process.env.KYC_TEST_WORKFLOW_BUNDLE ? { KYC_WORKFLOW_BUNDLE: process.env.KYC_TEST_WORKFLOW_BUNDLE } : {}),
    };

    // No server listens on TEMPORAL_ADDRESS.
    const firstIngress = await startIngressProcess(env);
    processes.push(firstIngress);
    const url = `http://127.0.0.1:${firstIngress.port}/webhooks/${id}`;
    const played: PlayedStory[] = stories.map((story) => story.play(sim));
    const deliveries = played.flatMap(({ callbacks }) => callbacks.map(({ delivery }) => delivery));
    const answers = [];
    for (const { body, headers } of deliveries) answers.push(await postJson(url, body, headers));
    expect(answers).toEqual(deliveries.map(() => ({ status: 202, body: { accepted: 1, queued: 1 } })));
    // A refusal while Temporal is down: its dead letter waits in the inbox too.
    const refused = await postJson(url, {}, { Authorization: `Bearer ${REFUSAL_TOKEN}` });
    expect(refused.status).toBe(400);
    // Acknowledged means on disk already.
    expect(entries(inboxDir)).toHaveLength(deliveries.length + 1);

    await firstIngress.kill('SIGKILL');
    expect(entries(inboxDir)).toHaveLength(deliveries.length + 1);

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
    const client = new Client({ connection });
    const config = loadConfig(env);
    const kyc = new KycClient(client, config);
    const finalState = (reference: string) =>
      eventually(
        async () => {
          const state = await kyc.getVerification(id, reference);
          return isTerminal(state.status) ? state : undefined;
        },
        90_000,
        `verification ${reference} to end`,
      );
    const states = await Promise.all(played.map(({ start }) => finalState(start.reference)));
    for (const [index, state] of states.entries()) {
      const { truth } = stories[index]!;
      const { callbacks, start } = played[index]!;
      expect(state).toMatchObject({ ...truth, providerStatus: callbacks.at(-1)!.word, polls: 0 });
      expect(state.timeline.map((entry) => `${entry.source} ${entry.outcome}`)).toEqual(
        callbacks.map(() => 'callback applied'),
      );
      // Nobody asked the provider: the verdicts came from the inbox alone.
      expect((await providerQuestions(client, kycWorkflowId(id, start.reference))).asked).toEqual([]);
    }
    // The refused body's letter, with the paths the provider's parser names.
    const running = config.providers[id]!;
    let issues: CallbackValidationError['issues'] = [];
    try {
      running.module.createCallbackParser(running.settings).parse({}, new Date().toISOString(), '{}');
    } catch (err) {
      if (!(err instanceof CallbackValidationError)) throw err;
      issues = err.issues;
    }
    expect(issues.length).toBeGreaterThan(0);
    const letters = await eventually(async () => {
      const rows = await kyc.listDeadLetters({ provider: id, reason: 'schema' });
      return rows.length ? rows : undefined;
    });
    expect(letters[0]!.paths).toEqual(expect.arrayContaining(issues.map((issue) => issue.path)));
    await eventually(async () => (entries(inboxDir).length === 0 ? true : undefined), 30_000, 'an empty inbox');
  }, 180_000);
});
