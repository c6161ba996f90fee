/**
 * The `kyc` CLI against a real dev server, our worker and ingress, and a provider's simulator (from
 * its testing kit). The provider: the first registered one whose retrieval API needs a context key
 * from the start (what `kyc start` refuses without it), with an approval its callbacks end and its
 * API holds from the start (so a refresh finds it), and a rejection its callbacks end.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/client/cli';
import { sendCallbacks } from '../../src/testing/callback-sender';
import type { PlayedStory, ProviderStory } from '../../src/testing/kit';
import type { VerificationState } from '../../src/verification/model';
import { providerVariable } from '../../src/providers/settings';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { kycCli } from '../support/durable-stack';
import { useProviderStack } from '../support/provider-stack';
import { kitWith, storyOf } from '../support/providers';
import { eventually } from '../support/stack';

const endedBy =
  (decision: 'APPROVED' | 'REJECTED', apiKnowsFromStart = false) =>
  (story: ProviderStory<never>) =>
    story.callbacksDecide &&
    story.truth.status === 'COMPLETED' &&
    story.truth.decision === decision &&
    (!apiKnowsFromStart || story.apiKnowsFromStart);
/** An approval its callbacks end and its API holds from the start. */
const approval = endedBy('APPROVED', true);
const rejection = endedBy('REJECTED');

const chosen = kitWith(
  (kit, provider) =>
    (providerModule(provider).requiredContext ?? []).length > 0 &&
    storyOf(kit, approval) !== undefined &&
    storyOf(kit, rejection) !== undefined,
  'a required context key, an approval its callbacks end and its API holds, and a rejection its callbacks end',
);
const graceOf = (provider: ProviderId) => ({ [providerVariable(provider, 'CALLBACK_GRACE')]: '1h' });
const fixture = useProviderStack(() => chosen.choose(), { variables: ([provider]) => graceOf(provider!) });

/** `kyc …` with the stack's variables (its task queue too). */
const kyc = (...argv: string[]) =>
  kycCli(
    {
      ...DEV_DEFAULTS,
      ...fixture.sims.environment,
      ...graceOf(chosen.picked.provider),
      TEMPORAL_ADDRESS: fixture.env.address,
      TEMPORAL_TASK_QUEUE: fixture.stack.config.temporal.taskQueue,
    },
    ...argv,
  );

function provider(): ProviderId {
  return chosen.picked.provider;
}

/** The context key its retrieval API is addressed by. */
function requiredKey(): string {
  return providerModule(provider()).requiredContext![0]!.key;
}

/** The story `need` picks, played for a verification of its own. */
function play(need: (story: ProviderStory<never>) => boolean): PlayedStory {
  const { kit } = chosen.picked;
  return kit.stories[storyOf(kit, need)!]!.play(fixture.of(provider()).sim);
}

const contextArgs = (played: PlayedStory) =>
  Object.entries(played.start.context ?? {}).flatMap(([key, value]) => ['--context', `${key}=${value}`]);

async function sendAll(played: PlayedStory): Promise<void> {
  const sent = await sendCallbacks(
    `${fixture.stack.ingressUrl}/webhooks/${provider()}`,
    played.callbacks.map(({ delivery }) => delivery),
  );
  expect(sent.map(({ status }) => status)).toEqual(played.callbacks.map(() => 200));
}

describe('kyc CLI', () => {
  it('starts, shows, waits for and lists a verification', async () => {
    const p = provider();
    const played = play(approval);
    const id = played.start.reference;

    const started = await kyc(
      'start',
      '--provider',
      p,
      '--reference',
      id,
      '--customer',
      'c-1',
      '--expires-in',
      '2h',
      ...contextArgs(played),
      '--json',
    );
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(started.stdout)).toEqual({ workflowId: `kyc:${p}:${id}`, reference: id });

    const status = await kyc('status', p, id, '--json');
    expect(status.code).toBe(0);
    const state = JSON.parse(status.stdout);
    expect(state).toMatchObject({
      provider: p,
      reference: id,
      status: 'PENDING',
      customerReference: 'c-1',
      registeredByApp: true,
    });
    expect(Date.parse(state.expiresAt) - Date.now()).toBeGreaterThan(100 * 60_000);

    const timedOut = await kyc('wait', p, id, '--timeout', '1s');
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toBe(`kyc: verification kyc:${p}:${id} is not finished yet\n`);

    await sendAll(played);
    const waited = await kyc('wait', p, id, '--timeout', '30s');
    expect(waited.code).toBe(0);
    // The provider's own words for the verdict, as the state records them.
    const ended = JSON.parse((await kyc('status', p, id, '--json')).stdout) as VerificationState;
    expect(ended.providerStatus).toBeTruthy();
    expect(waited.stdout.split('\n')[0]).toBe(
      `${p} ${id}: COMPLETED / APPROVED (provider status ${ended.providerStatus})`,
    );

    // Visibility is eventually consistent: the verification shows up once indexed.
    const listed = await eventually(async () => {
      const result = await kyc('list', '--provider', p, '--status', 'COMPLETED', '--json');
      const rows = JSON.parse(result.stdout) as { workflowId: string }[];
      return result.code === 0 && rows.some((row) => row.workflowId === `kyc:${p}:${id}`) ? rows : undefined;
    });
    expect(listed.find((row) => row.workflowId === `kyc:${p}:${id}`)).toMatchObject({
      provider: p,
      reference: id,
      status: 'COMPLETED',
      decision: 'APPROVED',
    });
  });

  it('cancels a verification', async () => {
    const p = provider();
    const key = requiredKey();
    const id = randomUUID();
    expect(await kyc('start', '--provider', p, '--reference', id)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(new RegExp(`^kyc: ${p} needs context\\.${key}: .*--context ${key}=…\\)\n$`)),
    });
    expect((await kyc('start', '--provider', p, '--reference', id, '--context', `${key}=a-1`)).stdout).toBe(
      `started kyc:${p}:${id}\n`,
    );
    expect(await kyc('cancel', p, id, '--reason', 'user left')).toMatchObject({
      code: 1,
      stderr: 'kyc: reason must be a short code (letters, digits, _ . -), e.g. user_left\n',
    });
    expect((await kyc('cancel', p, id, '--reason', 'user_left')).code).toBe(0);
    const waited = await kyc('wait', p, id, '--timeout', '20s', '--json');
    const state = JSON.parse(waited.stdout);
    expect(state).toMatchObject({ status: 'CANCELLED', providerStatus: 'CANCELLED_BY_APP' });
    expect(state.timeline.at(-1)).toMatchObject({ source: 'app', detail: 'user_left', status: 'CANCELLED' });

    // Once it has ended, cancel and refresh say so, with the outcome.
    for (const command of ['cancel', 'refresh']) {
      expect(await kyc(command, p, id)).toEqual({
        code: 1,
        stdout: '',
        stderr: `kyc: verification kyc:${p}:${id} already finished: CANCELLED\n`,
      });
    }
  });

  it('refreshes a running verification: the provider is asked now, not at the next scheduled poll', async () => {
    const p = provider();
    // The verdict is ready at the provider, but its callbacks never come and polling would start only in an hour.
    const played = play(approval);
    const id = played.start.reference;
    expect((await kyc('start', '--provider', p, '--reference', id, ...contextArgs(played))).code).toBe(0);
    expect(await kyc('refresh', p, id, '--json')).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ refreshRequested: true }, null, 2)}\n`,
      stderr: '',
    });
    const waited = await kyc('wait', p, id, '--timeout', '30s', '--json');
    expect(waited.code).toBe(0);
    const state = JSON.parse(waited.stdout) as VerificationState;
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(state.timeline.filter((entry) => entry.source === 'callback')).toEqual([]);
    expect(state.timeline.at(-1)).toMatchObject({ source: 'poll', outcome: 'applied', status: 'COMPLETED' });
    const history = await fixture.stack.client.workflow.getHandle(`kyc:${p}:${id}`).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
    expect(signals).toEqual(['register', 'refresh']);
    expect(await kyc('refresh', p, 'no-such-ref')).toMatchObject({
      code: 1,
      stderr: `kyc: no verification kyc:${p}:no-such-ref\n`,
    });
  });

  it('lists by decision and by age', async () => {
    const p = provider();
    const verification = (need: (story: ProviderStory<never>) => boolean) => {
      const played = play(need);
      return { played, id: played.start.reference, workflowId: `kyc:${p}:${played.start.reference}` };
    };
    const approved = verification(approval);
    const rejected = verification(rejection);
    for (const { played, id } of [approved, rejected]) {
      expect((await kyc('start', '--provider', p, '--reference', id, ...contextArgs(played))).code).toBe(0);
      await sendAll(played);
      expect((await kyc('wait', p, id, '--timeout', '30s')).code).toBe(0);
    }
    const ids = async (...filter: string[]) => {
      const result = await kyc('list', '--provider', p, ...filter, '--json');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      return (JSON.parse(result.stdout) as { workflowId: string }[]).map((row) => row.workflowId);
    };
    // Visibility is eventually consistent: wait until both are indexed with their decision.
    await eventually(async () => {
      const listed = await ids('--decision', 'REJECTED');
      return listed.includes(rejected.workflowId) ? listed : undefined;
    });
    const rejectedRows = await ids('--decision', 'REJECTED');
    expect(rejectedRows).toContain(rejected.workflowId);
    expect(rejectedRows).not.toContain(approved.workflowId);
    await eventually(async () =>
      (await ids('--decision', 'APPROVED')).includes(approved.workflowId) ? true : undefined,
    );

    expect(await ids('--newer-than', '10m')).toEqual(
      expect.arrayContaining([approved.workflowId, rejected.workflowId]),
    );
    const old = await ids('--older-than', '10m');
    expect(old).not.toContain(approved.workflowId);
    expect(old).not.toContain(rejected.workflowId);
    expect(await ids('--older-than', '1ms')).toEqual(
      expect.arrayContaining([approved.workflowId, rejected.workflowId]),
    );
    expect(await ids('--newer-than', '1ms')).toEqual([]);

    const human = await kyc('list', '--decision', 'REJECTED', '--newer-than', '1h');
    expect(human.stdout).toMatch(new RegExp(`^kyc:${p}:${rejected.id} +COMPLETED +REJECTED +started \\d{4}-`, 'm'));

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
    const p = provider();
    expect(await kyc('frobnicate')).toEqual({
      code: 2,
      stdout: '',
      stderr: "kyc: unknown command 'frobnicate' (try kyc --help)\n",
    });
    expect(await kyc('status', p)).toMatchObject({
      code: 2,
      stderr: 'kyc: expected 2 argument(s), got 1 (try kyc --help)\n',
    });
    expect(await kyc('status', 'onfido', 'x')).toMatchObject({
      code: 2,
      stderr: `kyc: provider must be one of ${PROVIDERS.join(', ')}\n`,
    });
    expect(await kyc('status', p, 'no-such-ref')).toMatchObject({
      code: 1,
      stderr: `kyc: no verification kyc:${p}:no-such-ref\n`,
    });
    expect(await kyc('start', '--provider', p, '--reference', 'jane.doe@example.com')).toMatchObject({
      code: 1,
      stderr: 'kyc: reference must be an ID: letters, digits and . _ : -, at most 200 characters\n',
    });
    expect(await kyc('start', '--provider', p)).toMatchObject({
      code: 2,
      stderr: 'kyc: --reference is required\n',
    });
    const badEnv = await runCli(['status', p, 'x'], {
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
    const p = provider();
    const id = randomUUID();
    const onlyTemporal = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: fixture.env.address,
      TEMPORAL_TASK_QUEUE: fixture.stack.config.temporal.taskQueue,
      // Wrong for the worker or the ingress, irrelevant to the client.
      PORT: 'x',
      [providerVariable(p, 'POLL_SCHEDULE')]: 'never',
      [providerVariable(p, 'EXPIRES_AFTER')]: '5m',
    };
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), env: onlyTemporal };
    expect(await runCli(['start', '--provider', p, '--reference', id, '--context', `${requiredKey()}=a-3`], io)).toBe(
      0,
    );
    let stdout = '';
    const code = await runCli(['status', p, id, '--json'], { ...io, stdout: (t) => void (stdout += t) });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const state = JSON.parse(stdout);
    expect(state).toMatchObject({ provider: p, reference: id, status: 'PENDING' });
    // The lifetime is the worker's (the provider's default), not the 5m of this environment.
    const workersLifetime = fixture.stack.config.providers[p]!.policy.expiresAfterMs;
    expect(workersLifetime).toBeGreaterThanOrEqual(3600_000);
    const left = Date.parse(state.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(workersLifetime - Math.min(4 * 3600_000, workersLifetime / 5));
    expect(left).toBeLessThanOrEqual(workersLifetime);
  });

  it('is installed as the package bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../bin/kyc.js'), '--help']);
    expect(stdout).toContain('usage: kyc <command>');
  });
});
