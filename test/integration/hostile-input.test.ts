/**
 * Hostile words end to end: the real ingress, worker and dev server, the providers' simulators on
 * loopback, and `kyc` itself. Status, event and decision words that name Object.prototype members
 * are unknown words like any other and the real verdict still ends the verification; control
 * and bidi characters a provider's API sends are stored as sent and printed escaped.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/client/cli';
import type { JumioWorkflowStatus } from '../../src/providers/jumio/testing/simulator';
import { socureCallbacks } from '../../src/providers/socure/testing/simulator';
import { startAllSimulators, type AllSimulators } from '../../src/testing/simulators';
import { postJson } from '../../src/testing/callback-sender';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { CONTROL_CHARACTERS, failedWorkflowTasks, PROTOTYPE_WORDS } from '../support/hostile-bodies';
import { scheduleVariables } from '../support/schedules';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';
import { type ProviderId } from '../../src/providers/registry';

let env: TestWorkflowEnvironment;
let sims: AllSimulators;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporal();
  sims = await startAllSimulators();
  stack = await startStack(env, {
    ...scheduleVariables(sims),
    KYC_PROVIDERS: 'jumio,socure,attestr',
    // Only callbacks (and what they announce) move these verifications: no poll ends one early.
    JUMIO_CALLBACK_GRACE: '1h',
    SOCURE_CALLBACK_GRACE: '1h',
    ATTESTR_CALLBACK_GRACE: '1h',
  });
});

afterAll(async () => {
  await stack?.stop();
  await sims?.close();
  await env?.teardown();
});

async function kyc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { TEMPORAL_ADDRESS: env.address },
  });
  return { code, stdout, stderr };
}

/** `kyc status` answers, as JSON and for a human, and says what the verification holds now. */
async function status(provider: ProviderId, reference: string): Promise<VerificationState> {
  const human = await kyc('status', provider, reference);
  expect(human).toMatchObject({ code: 0, stderr: '' });
  const json = await kyc('status', provider, reference, '--json');
  expect(json).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(json.stdout) as VerificationState;
}

async function ended(provider: ProviderId, reference: string): Promise<VerificationState> {
  return eventually(
    async () => {
      const state = await status(provider, reference);
      return isTerminal(state.status) ? state : undefined;
    },
    40_000,
    `${provider} ${reference} to end`,
  );
}

async function taskFailures(provider: ProviderId, reference: string): Promise<string[]> {
  return failedWorkflowTasks(await stack.client.workflow.getHandle(kycWorkflowId(provider, reference)).fetchHistory());
}

/**
 * Sends each word, checking after each that `kyc status` answers, until every one is on the
 * timeline: an unknown word like any other (ACTION_REQUIRED, or stale behind an equal one).
 */
async function sendWords(provider: ProviderId, reference: string, send: (word: string) => Promise<number>) {
  for (const word of PROTOTYPE_WORDS) {
    expect(await send(word)).toBe(200);
    await status(provider, reference);
  }
  const state = await eventually(async () => {
    const current = await status(provider, reference);
    const recorded = PROTOTYPE_WORDS.filter((word) =>
      current.timeline.some((entry) => entry.providerStatus === word && ['applied', 'stale'].includes(entry.outcome)),
    );
    return recorded.length === PROTOTYPE_WORDS.length ? current : undefined;
  });
  expect(state.status).toBe('ACTION_REQUIRED');
  expect(state.attention.every((code) => code.startsWith('unknown_'))).toBe(true);
}

describe('words named after Object.prototype members', () => {
  it('jumio: as callback statuses and as the API status, then the real verdict ends it', async () => {
    const id = randomUUID();
    const accountId = randomUUID();
    const webhook = `${stack.ingressUrl}/webhooks/jumio`;
    const post = async (word: string) => (await postJson(webhook, sims.jumio.callback(id, word))).status;
    sims.jumio.script(id, { accountId, status: 'INITIATED' });
    expect(await post('INITIATED')).toBe(200);
    await sendWords('jumio', id, post);

    // The retrieval API answering such a word: asked now (kyc refresh), recorded, nothing else.
    sims.jumio.script(id, { accountId, status: 'constructor' as JumioWorkflowStatus });
    expect((await kyc('refresh', 'jumio', id)).code).toBe(0);
    await eventually(async () =>
      (await status('jumio', id)).timeline.some(
        (entry) => entry.source === 'poll' && entry.providerStatus === 'constructor',
      )
        ? true
        : undefined,
    );

    sims.jumio.script(id, { accountId, status: 'PROCESSED', decision: { type: 'REJECTED' } });
    expect(await post('PROCESSED')).toBe(200);
    expect(await ended('jumio', id)).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(await taskFailures('jumio', id)).toEqual([]);
  });

  it('attestr: as event names, then the real verdict ends it', async () => {
    const handshake = randomUUID();
    sims.attestr.script(handshake, { kind: 'flowx', state: 'result' });
    const webhook = `${stack.ingressUrl}/webhooks/attestr`;
    const post = async (event: string) =>
      (await postJson(webhook, sims.attestr.flowxCallback(handshake, event), sims.attestr.webhookHeaders())).status;
    await sendWords('attestr', handshake, post);
    expect(await post('flowx.skipped')).toBe(200);
    expect(await ended('attestr', handshake)).toMatchObject({ status: 'ABANDONED', providerStatus: 'flowx.skipped' });
    expect(await taskFailures('attestr', handshake)).toEqual([]);
  });

  it('socure: as event types, then the real verdict ends it', async () => {
    const token = randomUUID();
    sims.socure.script(token, { decision: 'reject' });
    const webhook = `${stack.ingressUrl}/webhooks/socure`;
    const headers = sims.socure.callbackHeaders();
    const post = async (eventType: string, decision?: string) =>
      (await postJson(webhook, socureCallbacks.legacy(token, eventType, decision ? { decision } : {}), headers)).status;
    await sendWords('socure', token, (word) => post(word));
    expect(await post('VERIFICATION_COMPLETED', 'reject')).toBe(200);
    expect(await ended('socure', token)).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(await taskFailures('socure', token)).toEqual([]);
  });

  it('socure: a verdict whose decision is such a word is no verdict: the API is asked, and its verdict ends it', async () => {
    for (const word of ['constructor', 'toString', '__proto__']) {
      const token = randomUUID();
      sims.socure.script(token, { decision: 'reject' });
      const body = socureCallbacks.legacy(token, 'VERIFICATION_COMPLETED', { decision: word });
      const answer = await postJson(`${stack.ingressUrl}/webhooks/socure`, body, sims.socure.callbackHeaders());
      expect(answer.status).toBe(200);
      const state = await ended('socure', token);
      expect(state).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
      expect(state.timeline.map((entry) => `${entry.source} ${entry.outcome} ${entry.status}`)).toEqual([
        'callback applied SUBMITTED',
        'poll applied COMPLETED',
      ]);
      expect(await taskFailures('socure', token)).toEqual([]);
    }
  });
});

describe('control and bidi characters from a provider', () => {
  const every = Object.values(CONTROL_CHARACTERS).join('');
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('are kept as the API sent them, and kyc status prints each escaped on its own line', async () => {
    const id = randomUUID();
    const accountId = randomUUID();
    const word = `ACQ${every}UIRED`;
    const label = `OK${every}fine`;
    const webhook = `${stack.ingressUrl}/webhooks/jumio`;
    sims.jumio.script(id, { accountId, status: 'INITIATED' });
    expect((await postJson(webhook, sims.jumio.callback(id, 'INITIATED'))).status).toBe(200);
    await eventually(async () => ((await status('jumio', id)).context.accountId === accountId ? true : undefined));
    // Jumio's API status is any text: one with every kind of character, asked now.
    sims.jumio.script(id, { accountId, status: word as JumioWorkflowStatus });
    expect((await kyc('refresh', 'jumio', id)).code).toBe(0);
    await eventually(async () =>
      (await status('jumio', id)).timeline.some((entry) => entry.providerStatus === word) ? true : undefined,
    );
    // And the verdict's label (a detail) with every kind too.
    sims.jumio.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED', label } });
    expect((await postJson(webhook, sims.jumio.callback(id, 'PROCESSED'))).status).toBe(200);
    const state = await ended('jumio', id);
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });

    // Stored as sent: --json carries the raw text, JSON-escaped.
    const json = await kyc('status', 'jumio', id, '--json');
    const stored = JSON.parse(json.stdout) as VerificationState;
    expect(stored.timeline.find((entry) => entry.source === 'poll' && entry.providerStatus === word)).toBeDefined();
    expect(stored.timeline.at(-1)).toMatchObject({ source: 'poll', detail: label });

    // Printed escaped: one line per timeline entry (plus the header, and the attention the unknown
    // API word raised), none holding a raw control character.
    const human = await kyc('status', 'jumio', id);
    expect(human.code).toBe(0);
    const lines = human.stdout.replace(/\n$/, '').split('\n');
    expect(state.attention).toEqual(['unknown_status']);
    expect(lines).toHaveLength(3 + state.timeline.length);
    for (const line of lines) expect(line).not.toMatch(RAW);
    const escaped = '\\u0000\\u001b\\u009b\\u0085\\r\\n\\u007f\\u202a\\u202e\\u2066\\u2069\\u2028';
    expect(lines.filter((line) => line.includes(`ACQ${escaped}UIRED`))).toHaveLength(1);
    expect(lines.at(-1)).toContain(`(OK${escaped}fine)`);
    expect(await taskFailures('jumio', id)).toEqual([]);
  });
});
