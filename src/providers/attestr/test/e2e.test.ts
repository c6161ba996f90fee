import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient, VerificationNotFoundError } from '../../../client';
import { signResult } from '../../../providers/attestr/signature';
import {
  sampleResult,
  startAttestrSimulator,
  type AttestrSimulator,
} from '../../../providers/attestr/testing/simulator';
import { postJson, sendCallbacks } from '../../../testing/callback-sender';
import type { TimelineEntry, VerificationState } from '../../../verification/model';
import { eventually, startStack, startTemporal, type Stack } from '../../../../test/support/stack';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures', 'attestr', name), 'utf8')) as unknown;

/** The parts of a timeline entry the tests assert on. */
const steps = (state: VerificationState) =>
  state.timeline.map((entry: TimelineEntry) => `${entry.source} ${entry.providerStatus} ${entry.outcome}`);

describe('attestr end to end (real Temporal dev server, ingress, simulator)', () => {
  let env: TestWorkflowEnvironment;
  let sim: AttestrSimulator;
  /** Configured like production: webhook token, API token and client secret. */
  let stack: Stack;
  /** Without ATTESTR_CLIENT_SECRET: result signatures are not checked. */
  let unsigned: Stack;
  let kyc: KycClient;
  const open: [KycClient, string][] = [];

  const timings = {
    KYC_PROVIDERS: 'attestr',
    ATTESTR_CALLBACK_GRACE: '2s',
    ATTESTR_POLL_SCHEDULE: '1,1,1,1',
    ATTESTR_EXPIRES_AFTER: '1h',
    // A poll-found result waits this long for the flowx event that names its outcome.
    ATTESTR_REVIEW_WINDOW: '4s',
  };

  beforeAll(async () => {
    // Years of retention: the documented examples sent as they stand are not stale here.
    env = await startTemporal({ retentionDays: 3650 });
    sim = await startAttestrSimulator();
    const api = { ATTESTR_API_BASE_URL: sim.apiBaseUrl, ATTESTR_AUTH_TOKEN: sim.authToken };
    const webhook = { ATTESTR_WEBHOOK_AUTH: `basic:${sim.webhookToken}` };
    [stack, unsigned] = await Promise.all([
      startStack(env, { ...timings, ...api, ...webhook, ATTESTR_CLIENT_SECRET: sim.clientSecret }),
      startStack(env, { ...timings, ...api, ...webhook }),
    ]);
    kyc = new KycClient(stack.client, stack.config);
  });

  afterAll(async () => {
    // Verifications left waiting (ACTION_REQUIRED, unknown events) would keep polling until teardown.
    await Promise.allSettled(
      open.map(([client, reference]) => client.cancelVerification('attestr', reference, 'test finished')),
    );
    await Promise.all([stack?.stop(), unsigned?.stop()]);
    await sim?.close();
    await env?.teardown();
  });

  const webhookUrl = (target: Stack = stack) => `${target.ingressUrl}/webhooks/attestr`;
  const post = (body: unknown, target: Stack = stack) => postJson(webhookUrl(target), body, sim.webhookHeaders());
  const finished = (reference: string, client: KycClient = kyc) =>
    client.waitForVerification('attestr', reference, { timeoutMs: 20_000 });
  const stateWhen = (reference: string, check: (state: VerificationState) => boolean, client: KycClient = kyc) =>
    eventually(
      async () => {
        const state = await client.getVerification('attestr', reference);
        return check(state) ? state : undefined;
      },
      20_000,
      `attestr ${reference}`,
    );
  const leftOpen = (reference: string, client: KycClient = kyc) => void open.push([client, reference]);

  it('happy path: the app starts a flow, flowx.completed ends it COMPLETED with no decision', async () => {
    const handshakeId = randomUUID();
    sim.script(handshakeId, { kind: 'flowx', state: 'result' });
    await kyc.startVerification({ provider: 'attestr', reference: handshakeId });
    const response = await post(sim.flowxCallback(handshakeId, 'flowx.completed'));
    expect(response).toEqual({ status: 200, body: { accepted: 1 } });

    const final = await finished(handshakeId);
    expect(final).toMatchObject({ status: 'COMPLETED', providerStatus: 'flowx.completed', registeredByApp: true });
    expect(final.decision).toBeUndefined();
    expect(final.context).toEqual({ kind: 'flowx' });
    expect(steps(final)).toEqual(['callback flowx.completed applied']);
    // The event name says how the flow ended: a clean completion.
    expect(final.attention).toEqual([]);
  });

  it.each([
    ['flowx.errored', 'flowx', 'FAILED'],
    ['flowx.skipped', 'flowx', 'ABANDONED'],
    ['async.completed', 'async', 'COMPLETED'],
    ['async.errored', 'async', 'FAILED'],
  ])('%s ends the %s verification %s', async (event, kind, status) => {
    const reference = randomUUID();
    const body = kind === 'flowx' ? sim.flowxCallback(reference, event) : sim.asyncCallback(reference, event);
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await finished(reference);
    expect(final).toMatchObject({ status, providerStatus: event, context: { kind } });
    expect(final.decision).toBeUndefined();
    expect(steps(final)).toEqual([`callback ${event} applied`]);
  });

  it('factx.query shows ACTION_REQUIRED; a duplicate and an older query arriving late change nothing', async () => {
    const profileId = randomUUID();
    sim.script(profileId, { kind: 'factx', queries: [{ id: 'q-new', answered: false }] });
    const older = sim.factxQueryCallback(profileId, 'q-old', new Date(Date.now() - 60_000));
    const newer = sim.factxQueryCallback(profileId, 'q-new');
    const deliveries = [older, newer].map((body) => ({ body, headers: sim.webhookHeaders() }));
    const results = await sendCallbacks(webhookUrl(), deliveries, { order: [1, 0], duplicate: [1] });
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [1, 200],
      [1, 200],
      [0, 200],
    ]);
    leftOpen(profileId);

    const state = await stateWhen(profileId, (s) => s.timeline.length >= 3);
    expect(state).toMatchObject({
      status: 'ACTION_REQUIRED',
      providerStatus: 'factx.query',
      context: { kind: 'factx' },
    });
    expect(steps(state).slice(0, 3)).toEqual([
      'callback factx.query applied',
      'callback factx.query duplicate',
      'callback factx.query stale',
    ]);
    expect(state.timeline[0]!.detail).toBe('query:q-new');
  });

  it('a redelivered flowx.completed is applied once', async () => {
    const handshakeId = randomUUID();
    const body = sim.flowxCallback(handshakeId, 'flowx.completed');
    const results = await sendCallbacks(webhookUrl(), [{ body, headers: sim.webhookHeaders() }], { duplicate: [0] });
    // The second delivery finds the verification running (a duplicate) or already closed (late): both are fine.
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const final = await finished(handshakeId);
    expect(final.status).toBe('COMPLETED');
    expect(steps(final).filter((step) => step.endsWith('applied'))).toEqual(['callback flowx.completed applied']);
  });

  it('a lost flowx.completed is rescued by polling the Execution Result API', async () => {
    const handshakeId = randomUUID();
    sim.script(handshakeId, { kind: 'flowx', state: 'consumed' });
    await kyc.startVerification({ provider: 'attestr', reference: handshakeId });
    const lost = await sendCallbacks(webhookUrl(), [{ body: sim.flowxCallback(handshakeId, 'flowx.completed') }], {
      drop: [0],
    });
    expect(lost).toEqual([]);

    await stateWhen(handshakeId, (s) => s.status === 'IN_PROGRESS');
    sim.script(handshakeId, { kind: 'flowx', state: 'result' });
    // The Execution Result API serves errored and skipped flows' results too: provisional, open.
    const held = await stateWhen(handshakeId, (s) => s.provisional !== undefined);
    expect(held).toMatchObject({ status: 'ACTION_REQUIRED', provisional: { awaiting: 'outcome_confirmation' } });
    // No flowx event named the outcome within ATTESTR_REVIEW_WINDOW: COMPLETED, not final.
    const final = await finished(handshakeId);
    expect(final).toMatchObject({ status: 'COMPLETED', providerStatus: 'REVIEW_WINDOW_ENDED', decisionFinal: false });
    expect(final.attention).toEqual(['outcome_unclear', 'review_window_ended']);
    expect(steps(final).filter((step) => step.endsWith('applied'))).toEqual([
      'poll handshake.consumed applied',
      'poll handshake.result applied',
      'timer REVIEW_WINDOW_ENDED applied',
    ]);
  });

  it('an async request the app started (context kind async) is answered by the async outcome API', async () => {
    const asyncId = randomUUID();
    sim.script(asyncId, { kind: 'async', status: 'COMPLETED' });
    await kyc.startVerification({ provider: 'attestr', reference: asyncId, context: { kind: 'async' } });
    const final = await finished(asyncId);
    expect(final).toMatchObject({ status: 'COMPLETED', providerStatus: 'COMPLETED' });
    expect(steps(final)).toEqual(['poll COMPLETED applied']);
    expect(sim.requests).toContain(`GET /public/async/${asyncId}`);
  });

  it('retrieval errors: a 5xx then 429 burst is retried within a poll; a 404 is recorded and the next poll answers', async () => {
    const burst = randomUUID();
    const notYet = randomUUID();
    sim.script(burst, { kind: 'async', status: 'ERRORED', faults: { serverError: 1, rateLimited: 1 } });
    sim.script(notYet, { kind: 'flowx', state: 'result', faults: { notFound: 1 } });
    await Promise.all([
      kyc.startVerification({ provider: 'attestr', reference: burst, context: { kind: 'async' } }),
      kyc.startVerification({ provider: 'attestr', reference: notYet }),
    ]);
    const [afterBurst, afterNotFound] = await Promise.all([finished(burst), finished(notYet)]);

    expect(afterBurst).toMatchObject({ status: 'FAILED', providerStatus: 'ERRORED' });
    expect(steps(afterBurst)).toEqual(['poll ERRORED applied']);
    expect(sim.requests.filter((r) => r === `GET /public/async/${burst}`)).toHaveLength(3);

    expect(afterNotFound).toMatchObject({ status: 'COMPLETED', providerStatus: 'REVIEW_WINDOW_ENDED' });
    expect(steps(afterNotFound).filter((step) => !step.endsWith('duplicate'))).toEqual([
      'poll ProviderNotReady poll-failed',
      'poll handshake.result applied',
      'timer REVIEW_WINDOW_ENDED applied',
    ]);
  });

  it('a result found by polling, then flowx.errored: the webhook names the outcome, FAILED, final', async () => {
    const handshakeId = randomUUID();
    sim.script(handshakeId, { kind: 'flowx', state: 'result' });
    await kyc.startVerification({ provider: 'attestr', reference: handshakeId });
    await stateWhen(handshakeId, (s) => s.provisional !== undefined);
    expect((await post(sim.flowxCallback(handshakeId, 'flowx.errored'))).status).toBe(200);
    const final = await finished(handshakeId);
    expect(final).toMatchObject({ status: 'FAILED', providerStatus: 'flowx.errored', decisionFinal: true });
    expect(final.decisions?.map((d) => `${d.source} ${d.status} ${d.final}`)).toEqual([
      'poll COMPLETED false',
      'callback FAILED true',
    ]);
  });

  it('an archived handshake: used, it is not EXPIRED (COMPLETED, not final); never used, EXPIRED by Attestr', async () => {
    const used = randomUUID();
    const unused = randomUUID();
    sim.script(used, { kind: 'flowx', state: 'archived' });
    sim.script(unused, { kind: 'flowx', state: 'archived', consumed: false });
    await Promise.all([
      kyc.startVerification({ provider: 'attestr', reference: used }),
      kyc.startVerification({ provider: 'attestr', reference: unused }),
    ]);
    const [afterUse, neverUsed] = await Promise.all([finished(used), finished(unused)]);
    expect(afterUse).toMatchObject({
      status: 'COMPLETED',
      providerStatus: 'REVIEW_WINDOW_ENDED',
      decisionFinal: false,
    });
    expect(neverUsed).toMatchObject({ status: 'EXPIRED', providerStatus: 'handshake.archived-unconsumed' });
  });

  it('refuses callbacks with a wrong or missing token (401), and nothing reaches Temporal', async () => {
    const handshakeId = randomUUID();
    const body = sim.flowxCallback(handshakeId, 'flowx.completed');
    const wrong = await postJson(webhookUrl(), body, sim.webhookHeaders('not-the-token'));
    const missing = await postJson(webhookUrl(), body);
    const bearer = await postJson(webhookUrl(), body, { Authorization: `Bearer ${sim.webhookToken}` });
    for (const response of [wrong, missing, bearer]) {
      expect(response).toEqual({
        status: 401,
        body: { error: 'unauthorized', message: 'missing or invalid callback credentials' },
      });
    }
    await expect(kyc.getVerification('attestr', handshakeId)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });

  it('refuses a result whose resultSignature does not verify (401), and nothing reaches Temporal', async () => {
    const handshakeId = randomUUID();
    const forged = sim.flowxCallback(handshakeId, 'flowx.completed', {
      result: sampleResult(),
      signature: signResult({ forged: true }, sim.clientSecret),
    });
    expect(await post(forged)).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'callback signature does not verify' },
    });
    await expect(kyc.getVerification('attestr', handshakeId)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });

  it('answers 400 with the failing paths, and reads unknown events as unknown words without a 400', async () => {
    const bad = await post({ event: 'flowx.completed', payload: { tag: 'T1' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_callback', issues: [{ path: 'payload._id' }] });

    const handshakeId = randomUUID();
    expect(await post({ event: 'flowx.resumed', payload: { _id: handshakeId } })).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    leftOpen(handshakeId);
    const state = await stateWhen(handshakeId, (s) => s.timeline.length > 0);
    // The unknown-word rule: a human is asked, the word kept; the fallback polls go on.
    expect(state).toMatchObject({ status: 'ACTION_REQUIRED', providerStatus: 'flowx.resumed' });
    expect(state.attention).toEqual(['unknown_event']);
    expect(steps(state)[0]).toBe('callback flowx.resumed applied');
  });

  it("accepts the documentation's example payloads as they stand (no client secret configured)", async () => {
    const unsignedKyc = new KycClient(unsigned.client, unsigned.config);
    expect(await post(fixture('flowx-completed.providers-md.json'), unsigned)).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    expect(await post(fixture('factx-query.docs.json'), unsigned)).toEqual({ status: 200, body: { accepted: 1 } });
    leftOpen('AX1y-dBZ1qhpcGltIW', unsignedKyc);

    const flow = await finished('DS02zfeuv6n4gkq51hvw6', unsignedKyc);
    expect(flow).toMatchObject({
      status: 'COMPLETED',
      providerStatus: 'flowx.completed',
      providerStatusAt: '2023-02-03T04:10:11.000Z',
    });
    const query = await stateWhen('AX1y-dBZ1qhpcGltIW', (s) => s.status === 'ACTION_REQUIRED', unsignedKyc);
    expect(query.timeline[0]).toMatchObject({
      source: 'callback',
      outcome: 'applied',
      detail: 'query:AQ0jPe2Y_J_09hiBEo',
    });
  });
});
