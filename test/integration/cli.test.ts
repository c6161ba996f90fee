import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/simulator';
import { postJson } from '../../src/simulators/callback-sender';
import { jumioTestEnv } from '../support/jumio-env';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';

let env: TestWorkflowEnvironment;
let sim: JumioSimulator;
let stack: Stack;
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = await startTemporal();
  sim = await startJumioSimulator();
  const variables = jumioTestEnv(sim, { JUMIO_CALLBACK_GRACE: '1h' });
  stack = await startStack(env, variables);
  cliEnv = { ...variables, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue };
});

afterAll(async () => {
  await stack?.stop();
  await sim?.close();
  await env?.teardown();
});

async function kyc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: cliEnv });
  return { code, stdout, stderr };
}

describe('kyc CLI', () => {
  it('starts, shows, waits for and lists a verification', async () => {
    const id = randomUUID();
    const accountId = randomUUID();
    sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });

    const started = await kyc(
      'start',
      '--provider',
      'jumio',
      '--reference',
      id,
      '--customer',
      'c-1',
      '--expires-in',
      '2h',
      '--context',
      `accountId=${accountId}`,
      '--json',
    );
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(started.stdout)).toEqual({ workflowId: `kyc:jumio:${id}` });

    const status = await kyc('status', 'jumio', id, '--json');
    expect(status.code).toBe(0);
    const state = JSON.parse(status.stdout);
    expect(state).toMatchObject({
      provider: 'jumio',
      reference: id,
      status: 'PENDING',
      customerReference: 'c-1',
      registeredByApp: true,
    });
    expect(Date.parse(state.expiresAt) - Date.now()).toBeGreaterThan(100 * 60_000);

    const timedOut = await kyc('wait', 'jumio', id, '--timeout', '1s');
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toBe(`kyc: verification kyc:jumio:${id} is not finished yet\n`);

    await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
    const waited = await kyc('wait', 'jumio', id, '--timeout', '30s');
    expect(waited.code).toBe(0);
    expect(waited.stdout.split('\n')[0]).toBe(`jumio ${id}: COMPLETED / APPROVED (provider status PROCESSED/PASSED)`);

    // Visibility is eventually consistent: the verification shows up once indexed.
    const listed = await eventually(async () => {
      const result = await kyc('list', '--provider', 'jumio', '--status', 'COMPLETED', '--json');
      const rows = JSON.parse(result.stdout) as { workflowId: string }[];
      return result.code === 0 && rows.some((row) => row.workflowId === `kyc:jumio:${id}`) ? rows : undefined;
    });
    expect(listed.find((row) => row.workflowId === `kyc:jumio:${id}`)).toMatchObject({
      provider: 'jumio',
      reference: id,
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
  });

  it('cancels a verification', async () => {
    const id = randomUUID();
    expect((await kyc('start', '--provider', 'jumio', '--reference', id)).stdout).toBe(`started kyc:jumio:${id}\n`);
    expect(await kyc('cancel', 'jumio', id, '--reason', 'user left')).toMatchObject({
      code: 1,
      stderr: 'kyc: reason must be a short code (letters, digits, _ . -), e.g. user_left\n',
    });
    expect((await kyc('cancel', 'jumio', id, '--reason', 'user_left')).code).toBe(0);
    const waited = await kyc('wait', 'jumio', id, '--timeout', '20s', '--json');
    const state = JSON.parse(waited.stdout);
    expect(state).toMatchObject({ status: 'CANCELLED', providerStatus: 'CANCELLED_BY_APP' });
    expect(state.timeline.at(-1)).toMatchObject({ source: 'app', detail: 'user_left', status: 'CANCELLED' });
  });

  it('fails with one clear line and a non-zero exit', async () => {
    expect(await kyc('frobnicate')).toEqual({
      code: 2,
      stdout: '',
      stderr: "kyc: unknown command 'frobnicate' (try kyc --help)\n",
    });
    expect(await kyc('status', 'jumio')).toMatchObject({
      code: 2,
      stderr: 'kyc: expected 2 argument(s), got 1 (try kyc --help)\n',
    });
    expect(await kyc('status', 'onfido', 'x')).toMatchObject({
      code: 2,
      stderr: 'kyc: provider must be one of jumio, socure, attestr, unico, concedus\n',
    });
    expect(await kyc('status', 'jumio', 'no-such-ref')).toMatchObject({
      code: 1,
      stderr: 'kyc: no verification kyc:jumio:no-such-ref\n',
    });
    expect(await kyc('start', '--provider', 'jumio', '--reference', 'jane.doe@example.com')).toMatchObject({
      code: 1,
      stderr: 'kyc: reference must be an ID: letters, digits and . _ : -, at most 200 characters\n',
    });
    expect(await kyc('start', '--provider', 'jumio')).toMatchObject({
      code: 2,
      stderr: 'kyc: --reference is required\n',
    });
    const badEnv = await runCli(['status', 'jumio', 'x'], {
      stdout: () => undefined,
      stderr: (t) =>
        void expect(t).toBe(
          "kyc: configuration error: TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read the file 'no-such-dir/client.pem'\n",
        ),
      env: { TEMPORAL_TLS_CLIENT_CERT_PATH: 'no-such-dir/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: 'k.pem' },
    });
    expect(badEnv).toBe(1);
  });

  it('needs only Temporal settings, also with NODE_ENV=production: provider and ingress variables are not read', async () => {
    const id = randomUUID();
    const onlyTemporal = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      // Wrong for the worker or the ingress, irrelevant to the client.
      PORT: 'x',
      JUMIO_POLL_SCHEDULE: 'never',
      JUMIO_EXPIRES_AFTER: '5m',
    };
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), env: onlyTemporal };
    expect(await runCli(['start', '--provider', 'jumio', '--reference', id], io)).toBe(0);
    let stdout = '';
    const code = await runCli(['status', 'jumio', id, '--json'], { ...io, stdout: (t) => void (stdout += t) });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const state = JSON.parse(stdout);
    expect(state).toMatchObject({ provider: 'jumio', reference: id, status: 'PENDING' });
    // The lifetime is the worker's (Jumio's default, a day), not the 5m of this environment.
    expect(Date.parse(state.expiresAt) - Date.now()).toBeGreaterThan(20 * 3600_000);
  });

  it('is installed as the package bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../bin/kyc.js'), '--help']);
    expect(stdout).toContain('usage: kyc <command>');
  });
});
