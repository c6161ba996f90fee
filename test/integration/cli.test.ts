import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { jumioTestEnv } from '../../src/providers/jumio/test/jumio-env';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';
import { PROVIDERS } from '../../src/providers/registry';
import { kycCli } from '../support/durable-stack';

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

const kyc = (...argv: string[]) => kycCli(cliEnv as Record<string, string>, ...argv);

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
    expect(JSON.parse(started.stdout)).toEqual({ workflowId: `kyc:jumio:${id}`, reference: id });

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
    expect(await kyc('start', '--provider', 'jumio', '--reference', id)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^kyc: jumio needs context.accountId: .*--context accountId=…\)\n$/),
    });
    expect((await kyc('start', '--provider', 'jumio', '--reference', id, '--context', 'accountId=a-1')).stdout).toBe(
      `started kyc:jumio:${id}\n`,
    );
    expect(await kyc('cancel', 'jumio', id, '--reason', 'user left')).toMatchObject({
      code: 1,
      stderr: 'kyc: reason must be a short code (letters, digits, _ . -), e.g. user_left\n',
    });
    expect((await kyc('cancel', 'jumio', id, '--reason', 'user_left')).code).toBe(0);
    const waited = await kyc('wait', 'jumio', id, '--timeout', '20s', '--json');
    const state = JSON.parse(waited.stdout);
    expect(state).toMatchObject({ status: 'CANCELLED', providerStatus: 'CANCELLED_BY_APP' });
    expect(state.timeline.at(-1)).toMatchObject({ source: 'app', detail: 'user_left', status: 'CANCELLED' });

    // Once it has ended, cancel and refresh say so, with the outcome.
    for (const command of ['cancel', 'refresh']) {
      expect(await kyc(command, 'jumio', id)).toEqual({
        code: 1,
        stdout: '',
        stderr: `kyc: verification kyc:jumio:${id} already finished: CANCELLED\n`,
      });
    }
  });

  it('refreshes a running verification: the provider is asked now, not at the next scheduled poll', async () => {
    const id = randomUUID();
    // The verdict is ready at Jumio, but its callback never comes and polling would start only in an hour.
    sim.script(id, { accountId: 'a-2', status: 'PROCESSED', decision: { type: 'PASSED' } });
    await kyc('start', '--provider', 'jumio', '--reference', id, '--context', 'accountId=a-2');
    expect(await kyc('refresh', 'jumio', id, '--json')).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ refreshRequested: true }, null, 2)}\n`,
      stderr: '',
    });
    const waited = await kyc('wait', 'jumio', id, '--timeout', '30s', '--json');
    expect(waited.code).toBe(0);
    const state = JSON.parse(waited.stdout) as VerificationState;
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(state.timeline.filter((entry) => entry.source === 'callback')).toEqual([]);
    expect(state.timeline.at(-1)).toMatchObject({ source: 'poll', outcome: 'applied', status: 'COMPLETED' });
    const history = await stack.client.workflow.getHandle(`kyc:jumio:${id}`).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
    expect(signals).toEqual(['register', 'refresh']);
    expect(await kyc('refresh', 'jumio', 'no-such-ref')).toMatchObject({
      code: 1,
      stderr: 'kyc: no verification kyc:jumio:no-such-ref\n',
    });
  });

  it('lists by decision and by age', async () => {
    const approved = randomUUID();
    const rejected = randomUUID();
    for (const [id, type] of [
      [approved, 'PASSED'],
      [rejected, 'REJECTED'],
    ] as const) {
      sim.script(id, { accountId: `acc-${id}`, status: 'PROCESSED', decision: { type } });
      await kyc('start', '--provider', 'jumio', '--reference', id, '--context', `accountId=acc-${id}`);
      await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
      expect((await kyc('wait', 'jumio', id, '--timeout', '30s')).code).toBe(0);
    }
    const ids = async (...filter: string[]) => {
      const result = await kyc('list', '--provider', 'jumio', ...filter, '--json');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      return (JSON.parse(result.stdout) as { workflowId: string }[]).map((row) => row.workflowId);
    };
    // Visibility is eventually consistent: wait until both are indexed with their decision.
    await eventually(async () => {
      const listed = await ids('--decision', 'REJECTED');
      return listed.includes(`kyc:jumio:${rejected}`) ? listed : undefined;
    });
    const rejectedRows = await ids('--decision', 'REJECTED');
    expect(rejectedRows).toContain(`kyc:jumio:${rejected}`);
    expect(rejectedRows).not.toContain(`kyc:jumio:${approved}`);
    await eventually(async () =>
      (await ids('--decision', 'APPROVED')).includes(`kyc:jumio:${approved}`) ? true : undefined,
    );

    expect(await ids('--newer-than', '10m')).toEqual(
      expect.arrayContaining([`kyc:jumio:${approved}`, `kyc:jumio:${rejected}`]),
    );
    const old = await ids('--older-than', '10m');
    expect(old).not.toContain(`kyc:jumio:${approved}`);
    expect(old).not.toContain(`kyc:jumio:${rejected}`);
    expect(await ids('--older-than', '1ms')).toEqual(
      expect.arrayContaining([`kyc:jumio:${approved}`, `kyc:jumio:${rejected}`]),
    );
    expect(await ids('--newer-than', '1ms')).toEqual([]);

    const human = await kyc('list', '--decision', 'REJECTED', '--newer-than', '1h');
    expect(human.stdout).toMatch(new RegExp(`^kyc:jumio:${rejected} +COMPLETED +REJECTED +started \\d{4}-`, 'm'));

    expect(await kyc('list', '--decision', 'MAYBE')).toMatchObject({
      code: 2,
      stderr: 'kyc: --decision must be one of APPROVED, REJECTED, REVIEW, RESUBMIT\n',
    });
    expect(await kyc('list', '--older-than', 'yesterday')).toMatchObject({
      code: 2,
      stderr: "kyc: --older-than 'yesterday' is not a duration (e.g. 30s, 15m, 2h, 7d)\n",
    });
  });

  it('has --help for every command, without configuration or a server', async () => {
    const overview = await runCli(['--help'], { stdout: () => undefined, stderr: () => undefined, env: {} });
    expect(overview).toBe(0);
    for (const command of ['start', 'status', 'wait', 'list', 'cancel', 'refresh', 'dead-letters', 'replay', 'setup']) {
      let stdout = '';
      const code = await runCli([command, '--help'], {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        // A broken environment proves help reads none of it.
        env: { PORT: 'not-a-port', TEMPORAL_ADDRESS: '127.0.0.1:1' },
      });
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: kyc ${command}\\b`));
      expect(stdout).toMatch(/\nexample: kyc /);
    }
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
      stderr: `kyc: provider must be one of ${PROVIDERS.join(', ')}\n`,
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
    expect(await runCli(['start', '--provider', 'jumio', '--reference', id, '--context', 'accountId=a-3'], io)).toBe(0);
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
