/**
 * What a caller who passes one provider's authentication can make us do, on the real dev server
 * with the ingress as the mains compose it (local inbox, dead letters): another Jumio customer's
 * callback, callbacks older than the namespace's retention, and a flood of made-up references.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAttestrSimulator, type AttestrSimulator } from '../../src/providers/attestr/testing/simulator';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import { namespaceRetentionSeconds } from '../../src/temporal/setup';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { startDurableStack, type DurableStack } from '../support/durable-stack';
import { eventually, startTemporal } from '../support/stack';
import { type ProviderId } from '../../src/providers/registry';

const OURS = 'acc-ours';
const DAY_MS = 86_400_000;

let env: TestWorkflowEnvironment;
let jumio: JumioSimulator;
let attestr: AttestrSimulator;

beforeAll(async () => {
  env = await startTemporal();
  [jumio, attestr] = await Promise.all([startJumioSimulator(), startAttestrSimulator()]);
});

afterAll(async () => {
  await Promise.all([jumio?.close(), attestr?.close()]);
  await env?.teardown();
});

function jumioVariables(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KYC_PROVIDERS: 'jumio,attestr',
    JUMIO_API_BASE_URL: jumio.url,
    JUMIO_AUTH_URL: jumio.authUrl,
    JUMIO_CLIENT_ID: jumio.clientId,
    JUMIO_CLIENT_SECRET: jumio.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    JUMIO_ACCOUNT_IDS: OURS,
    JUMIO_CALLBACK_GRACE: '1h',
    ATTESTR_API_BASE_URL: attestr.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: attestr.authToken,
    ATTESTR_WEBHOOK_AUTH: `basic:${attestr.webhookToken}`,
    ATTESTR_CALLBACK_GRACE: '1h',
    ...extra,
  };
}

async function exists(stack: DurableStack, provider: ProviderId, reference: string): Promise<boolean> {
  try {
    await stack.client.workflow.getHandle(kycWorkflowId(provider, reference)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

async function lettersOf(stack: DurableStack, reason: string): Promise<{ verificationId?: string; events: number }[]> {
  const out = await stack.kyc('dead-letters', '--json', '--reason', reason);
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(out.stdout) as { verificationId?: string; events: number }[];
}

describe('Jumio callbacks of another account, and stale callbacks', () => {
  let stack: DurableStack;
  beforeAll(async () => {
    stack = await startDurableStack(env, jumioVariables());
  });
  afterAll(async () => stack?.stop());

  const postJumio = (body: unknown) => postJson(`${stack.ingressUrl}/webhooks/jumio`, body);

  it("refuses another Jumio customer's callback (403): a dead letter, no verification", async () => {
    const reference = randomUUID();
    jumio.script(reference, { accountId: 'acc-someone-else', status: 'PROCESSED' });
    const response = await postJumio(jumio.callback(reference, 'PROCESSED'));
    expect(response).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const letters = await eventually(async () => {
      const found = await lettersOf(stack, 'foreign_account');
      return found.length ? found : undefined;
    });
    expect(letters).toEqual([expect.objectContaining({ events: 1 })]);
    expect(await exists(stack, 'jumio', reference)).toBe(false);
    // Nothing was asked of Jumio with our credentials about it.
    expect(jumio.requests.some((request) => request.includes(reference))).toBe(false);
  });

  it("reads the dev server's retention (a day) and starts nothing for a callback older than it", async () => {
    expect(await namespaceRetentionSeconds(env.client, 'default')).toBe(86_400);
    const gone = randomUUID();
    jumio.script(gone, { accountId: OURS, status: 'PROCESSED', decision: { type: 'PASSED' } });
    const old = jumio.callback(gone, 'PROCESSED', new Date(Date.now() - 2 * DAY_MS));
    const response = await postJumio(old);
    expect(response).toEqual({ status: 200, body: { accepted: 0, stale: 1 } });
    expect(await exists(stack, 'jumio', gone)).toBe(false);
    const letters = await eventually(async () => {
      const found = await lettersOf(stack, 'stale');
      return found.length ? found : undefined;
    });
    expect(letters).toEqual([expect.objectContaining({ events: 1 })]);
    // Sent again (the provider did not see the 200): the same letter, still nothing started.
    expect(await postJumio(old)).toEqual({ status: 200, body: { accepted: 0, stale: 1 } });
    expect(await lettersOf(stack, 'stale')).toHaveLength(1);
    expect(await exists(stack, 'jumio', gone)).toBe(false);
  });

  it('still delivers an old callback to a verification that is open', async () => {
    const open = randomUUID();
    jumio.script(open, { accountId: OURS, status: 'ACQUIRED' });
    const started = await stack.kyc(
      'start',
      '--provider',
      'jumio',
      '--reference',
      open,
      '--context',
      `accountId=${OURS}`,
    );
    expect(started.code).toBe(0);
    const response = await postJumio(jumio.callback(open, 'ACQUIRED', new Date(Date.now() - 2 * DAY_MS)));
    expect(response).toEqual({ status: 200, body: { accepted: 1 } });
    const state = await eventually(async () => {
      const out = await stack.kyc('status', 'jumio', open, '--json');
      const current = JSON.parse(out.stdout) as VerificationState;
      return current.status === 'SUBMITTED' ? current : undefined;
    });
    expect(state.timeline.map((entry) => `${entry.source} ${entry.providerStatus} ${entry.outcome}`)).toContain(
      'callback ACQUIRED applied',
    );
    await stack.kyc('cancel', 'jumio', open);
  });
});

describe('a flood of made-up references (KYC_CALLBACK_STARTS_PER_MINUTE=6)', () => {
  let stack: DurableStack;
  beforeAll(async () => {
    stack = await startDurableStack(env, jumioVariables({ KYC_CALLBACK_STARTS_PER_MINUTE: '6' }));
  });
  afterAll(async () => stack?.stop());

  it('starts six a minute; beyond, 503 + Retry-After; an existing verification is never refused', async () => {
    const references = Array.from({ length: 9 }, () => randomUUID());
    const answers = [];
    for (const reference of references) {
      jumio.script(reference, { accountId: OURS, status: 'ACQUIRED' });
      answers.push(await postJson(`${stack.ingressUrl}/webhooks/jumio`, jumio.callback(reference, 'ACQUIRED')));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200, 503, 503, 503]);
    expect(answers[6]!.body).toMatchObject({ error: 'start_limited' });
    const startedOnes = await Promise.all(references.map((reference) => exists(stack, 'jumio', reference)));
    expect(startedOnes).toEqual([true, true, true, true, true, true, false, false, false]);

    // The app's verification, which this ingress has never seen, still takes its callback past the bound.
    const appStarted = randomUUID();
    jumio.script(appStarted, { accountId: OURS, status: 'ACQUIRED' });
    await stack.kyc('start', '--provider', 'jumio', '--reference', appStarted, '--context', `accountId=${OURS}`);
    const response = await postJson(`${stack.ingressUrl}/webhooks/jumio`, jumio.callback(appStarted, 'ACQUIRED'));
    expect(response).toEqual({ status: 200, body: { accepted: 1 } });
    await Promise.all(
      [...references.slice(0, 6), appStarted].map((reference) => stack.kyc('cancel', 'jumio', reference)),
    );
  });

  it('keeps the callbacks of a provider that never retries in the inbox, and starts them when the bound allows', async () => {
    const handshakes = Array.from({ length: 7 }, () => randomUUID());
    const answers = [];
    for (const handshake of handshakes) {
      answers.push(
        await postJson(
          `${stack.ingressUrl}/webhooks/attestr`,
          attestr.flowxCallback(handshake, 'flowx.resumed'),
          attestr.webhookHeaders(),
        ),
      );
    }
    expect(answers.slice(0, 6).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers[6]).toEqual({ status: 202, body: { accepted: 1, queued: 1 } });
    expect(await exists(stack, 'attestr', handshakes[6]!)).toBe(false);
    // One start every ten seconds: the drainer hands it over then.
    await eventually(async () => ((await exists(stack, 'attestr', handshakes[6]!)) ? true : undefined), 40_000);
    await Promise.all(handshakes.map((handshake) => stack.kyc('cancel', 'attestr', handshake)));
  });
});
