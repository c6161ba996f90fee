import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import {
  SIMULATED_PERSON,
  startUnicoSimulator,
  unicoWebhookAuthSpec,
  unicoWebhookHeaders,
  type UnicoProcessScript,
  type UnicoSimulator,
  type UnicoWebhookAuth,
} from '../../src/providers/unico/testing/simulator';
import { postJson, sendCallbacks } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';

/** Timeline entries as [source, providerStatus, outcome]. */
const entries = (state: VerificationState) => state.timeline.map((e) => [e.source, e.providerStatus, e.outcome]);

describe('unico end to end (real Temporal dev server, Unico simulator)', () => {
  const apiKey: UnicoWebhookAuth = { kind: 'apiKey', key: `X-API-Key:${randomBytes(16).toString('hex')}` };
  const basic: UnicoWebhookAuth = { kind: 'basic', user: 'unico', password: randomBytes(12).toString('hex') };
  const headers = unicoWebhookHeaders(apiKey);
  let env: TestWorkflowEnvironment;
  let sim: UnicoSimulator;
  let stack: Stack;
  let kyc: KycClient;

  beforeAll(async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    [env, sim] = await Promise.all([startTemporal(), startUnicoSimulator({ publicKey: keys.publicKey })]);
    stack = await startStack(env, {
      KYC_PROVIDERS: 'unico',
      UNICO_API_BASE_URL: sim.url,
      UNICO_AUTH_URL: sim.authUrl,
      UNICO_SERVICE_ACCOUNT: sim.serviceAccount,
      UNICO_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      // Two of Unico's registration options at once, as during a rotation from one to the other.
      UNICO_WEBHOOK_AUTH: `${unicoWebhookAuthSpec(apiKey)};${unicoWebhookAuthSpec(basic)}`,
      UNICO_CALLBACK_GRACE: '2s',
      UNICO_POLL_SCHEDULE: '1,1,1,1',
      UNICO_EXPIRES_AFTER: '1h',
      // lastEvent values Unico does not document (yet): handled by configuration alone.
      UNICO_EVENTS: JSON.stringify({
        EVENT_TYPE_LIVENESS_CAPTURED: { status: 'IN_PROGRESS' },
        EVENT_TYPE_MANUAL_REVIEW_FINISHED: { status: 'SUBMITTED', retrieve: true },
      }),
    });
    kyc = new KycClient(stack.client, stack.config);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await sim?.close();
    await env?.teardown();
  });

  const webhook = (body: unknown, h: Record<string, string> = headers) =>
    postJson(`${stack.ingressUrl}/webhooks/unico`, body, h);
  const finalState = (id: string) => kyc.waitForVerification('unico', id, { timeoutMs: 30_000 });
  const newProcess = (script: UnicoProcessScript): string => {
    const id = randomUUID();
    sim.script(id, script);
    return id;
  };
  const startedByApp = async (script: UnicoProcessScript, expiresAt?: Date): Promise<string> => {
    const id = newProcess(script);
    await kyc.startVerification({ provider: 'unico', reference: id, ...(expiresAt ? { expiresAt } : {}) });
    return id;
  };
  /** Waits until the verification's timeline satisfies `done`. */
  const stateWhen = (id: string, done: (state: VerificationState) => boolean, what: string) =>
    eventually(
      async () => {
        const state = await kyc.getVerification('unico', id);
        return done(state) ? state : undefined;
      },
      20_000,
      what,
    );

  it('happy path: FINISHED/ok announced, GetProcess confirms APPROVED; no personal data kept', async () => {
    const id = await startedByApp({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    expect(await webhook(sim.finished(id, 'ok'))).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await finalState(id);
    expect([final.status, final.decision, final.providerStatus]).toEqual([
      'COMPLETED',
      'APPROVED',
      'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
    ]);
    expect(final.registeredByApp).toBe(true);
    // The verdict came from the announced retrieval, not from a fallback poll.
    expect(final.polls).toBe(0);
    expect(entries(final)).toEqual([
      ['callback', 'PROCESS_STATE_FINISHED/ok', 'applied'],
      ['poll', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK', 'applied'],
    ]);
    const text = JSON.stringify(final);
    expect(text).not.toContain(SIMULATED_PERSON.duiValue);
    expect(text).not.toContain(SIMULATED_PERSON.friendlyName);
  });

  it('each terminal outcome Unico reports, read state first and result second', async () => {
    const cases: Array<{
      name: string;
      script: UnicoProcessScript;
      callback: (id: string) => unknown;
      expected: unknown[];
    }> = [
      {
        name: 'invalid identity',
        script: { state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_INVALID_IDENTITY' },
        callback: (id) => sim.finished(id, 'invalid_identity'),
        expected: ['COMPLETED', 'REJECTED', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_INVALID_IDENTITY'],
      },
      {
        name: 'expired (with lastEvent)',
        script: { state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_EXPIRED' },
        callback: (id) => sim.finished(id, 'expired'),
        expected: ['EXPIRED', undefined, 'PROCESS_STATE_FINISHED/PROCESS_RESULT_EXPIRED'],
      },
      {
        name: 'error (webhook without result)',
        script: { state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_ERROR' },
        callback: (id) => sim.callback(id, { state: 'PROCESS_STATE_FINISHED', flow: 'id' }),
        expected: ['FAILED', undefined, 'PROCESS_STATE_FINISHED/PROCESS_RESULT_ERROR'],
      },
      {
        // An "ok" whose authentication is inconclusive with a fraudster-base hit: Unico's table says Reprove.
        name: 'ok, but inconclusive with a fraudster hit',
        script: {
          state: 'PROCESS_STATE_FINISHED',
          result: 'PROCESS_RESULT_OK',
          authenticationInfo: {
            authenticationResult: 'AUTHENTICATION_RESULT_INCONCLUSIVE',
            livenessResult: 'LIVENESS_RESULT_LIVE',
            identityFraudstersResult: 'IDENTITY_FRAUDSTERS_RESULT_YES',
          },
        },
        callback: (id) => sim.finished(id, 'ok'),
        expected: ['COMPLETED', 'REJECTED', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK'],
      },
      {
        // Liveness unanswered: Unico's table says Retry.
        name: 'ok, but liveness UNSPECIFIED',
        script: {
          state: 'PROCESS_STATE_FINISHED',
          result: 'PROCESS_RESULT_OK',
          authenticationInfo: { authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE' },
        },
        callback: (id) => sim.finished(id, 'ok'),
        expected: ['COMPLETED', 'RESUBMIT', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK'],
      },
      {
        // The webhook's coarse "ok" is an announcement; GetProcess's failed state is the verdict.
        name: 'failed state despite an "ok" webhook',
        script: { state: 'PROCESS_STATE_FAILED', result: 'PROCESS_RESULT_ERROR' },
        callback: (id) => sim.finished(id, 'ok'),
        expected: ['FAILED', undefined, 'PROCESS_STATE_FAILED/PROCESS_RESULT_ERROR'],
      },
    ];
    const outcomes = await Promise.all(
      cases.map(async ({ name, script, callback }) => {
        const id = await startedByApp(script);
        const response = await webhook(callback(id));
        const final = await finalState(id);
        return {
          name,
          http: response.status,
          outcome: [final.status, final.decision, final.providerStatus],
          polls: final.polls,
        };
      }),
    );
    expect(outcomes).toEqual(cases.map(({ name, expected }) => ({ name, http: 200, outcome: expected, polls: 0 })));
  });

  it('duplicate and out-of-order callbacks, before the app even started the verification', async () => {
    // Unico has not published the result yet: the announced retrieval keeps the verification open.
    const id = newProcess({ state: 'PROCESS_STATE_CREATED' });
    const older = sim.callback(id, {
      state: 'PROCESS_STATE_CREATED',
      flow: 'id',
      lastEvent: 'EVENT_TYPE_QR_CODE_READ',
    });
    const deliveries = [older, sim.finished(id, 'ok')].map((body) => ({ body, headers }));
    const results = await sendCallbacks(`${stack.ingressUrl}/webhooks/unico`, deliveries, {
      order: [1, 0],
      duplicate: [1],
    });
    expect(results.map((r) => [r.index, r.status, r.body])).toEqual([
      [1, 200, { accepted: 1 }],
      [1, 200, { accepted: 1 }],
      [0, 200, { accepted: 2 }],
    ]);
    // The app's start arrives last: same execution, no error.
    await kyc.startVerification({ provider: 'unico', reference: id });

    const held = await stateWhen(id, (s) => s.registeredByApp && s.timeline.length >= 4, 'all callbacks applied');
    expect(held.status).toBe('SUBMITTED');
    expect(entries(held)).toEqual([
      ['callback', 'PROCESS_STATE_FINISHED/ok', 'applied'],
      ['callback', 'PROCESS_STATE_FINISHED/ok', 'duplicate'],
      ['callback', 'EVENT_TYPE_QR_CODE_READ', 'stale'],
      ['callback', 'PROCESS_STATE_CREATED', 'stale'],
    ]);

    sim.script(id, { state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const final = await finalState(id);
    expect([final.status, final.decision]).toEqual(['COMPLETED', 'APPROVED']);
    expect(entries(final).slice(-1)).toEqual([['poll', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK', 'applied']]);
  });

  it('at-least-once: the same FINISHED redelivered after the end is acknowledged and changes nothing', async () => {
    const id = await startedByApp({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_INVALID_IDENTITY' });
    const body = sim.finished(id, 'invalid_identity');
    expect((await webhook(body)).status).toBe(200);
    const final = await finalState(id);
    const gets = sim.processGets(id);

    expect(await webhook(structuredClone(body))).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
    const after = await kyc.getVerification('unico', id);
    expect([after.status, after.decision, after.timeline.length]).toEqual([
      'COMPLETED',
      'REJECTED',
      final.timeline.length,
    ]);
    expect(sim.processGets(id)).toBe(gets);
  });

  it('a missed final callback is rescued by fallback polling', async () => {
    const id = await startedByApp({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const sent = await sendCallbacks(
      `${stack.ingressUrl}/webhooks/unico`,
      [{ body: sim.finished(id, 'ok'), headers }],
      { drop: [0] },
    );
    expect(sent).toEqual([]);
    const final = await finalState(id);
    expect([final.status, final.decision]).toEqual(['COMPLETED', 'APPROVED']);
    expect(final.timeline.filter((e) => e.source === 'callback')).toEqual([]);
    expect(entries(final).slice(-1)).toEqual([['poll', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK', 'applied']]);
    expect(final.polls).toBeGreaterThanOrEqual(1);
  });

  it('retrieval errors (5xx, 429, 404) are retried, then answered', async () => {
    // Announced result: retried with backoff, Retry-After honoured.
    const announced = await startedByApp({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_OK',
      faults: { serverError: 1, rateLimited: 2 },
    });
    // Fallback poll: a blip is retried within the poll; "not found yet" waits for the next poll.
    const polled = await startedByApp({
      state: 'PROCESS_STATE_FINISHED',
      result: 'PROCESS_RESULT_EXPIRED',
      faults: { serverError: 1, notFound: 1 },
    });
    expect((await webhook(sim.finished(announced, 'ok'))).status).toBe(200);

    const [a, p] = await Promise.all([finalState(announced), finalState(polled)]);
    expect([a.status, a.decision, sim.processGets(announced)]).toEqual(['COMPLETED', 'APPROVED', 4]);
    expect([p.status, sim.processGets(polled)]).toEqual(['EXPIRED', 3]);
    expect(entries(p)).toEqual([
      ['poll', 'ProviderNotReady', 'poll-failed'],
      ['poll', 'PROCESS_STATE_FINISHED/PROCESS_RESULT_EXPIRED', 'applied'],
    ]);
  });

  it('refuses bad auth (401) and bad bodies (400); nothing reaches Temporal', async () => {
    const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const body = sim.finished(id, 'ok');
    const apiKeyValue = Object.values(headers)[0]!;
    const refusals = await Promise.all([
      webhook(body, {}),
      webhook(body, { 'X-API-Key': 'wrong' }),
      webhook(body, { Authorization: `Bearer ${apiKeyValue}` }),
      webhook(body, unicoWebhookHeaders({ kind: 'basic', user: 'unico', password: 'wrong' })),
    ]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.body).toMatchObject({ error: 'unauthorized' });
    }
    const invalid = await webhook({ processId: 'not an id', state: 'PROCESS_STATE_FINISHED' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: 'invalid_callback', issues: [{ path: 'processId' }] });
    expect((await webhook('{"processId":', headers)).status).toBe(400);

    await expect(stack.client.workflow.getHandle(kycWorkflowId('unico', id)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(sim.processGets(id)).toBe(0);

    // The other registered option (Basic) is accepted.
    expect(await webhook(body, unicoWebhookHeaders(basic))).toEqual({ status: 200, body: { accepted: 1 } });
    expect((await finalState(id)).decision).toBe('APPROVED');
  });

  it("accepts the seed's example payloads through the ingress as they stand", async () => {
    const seed = (name: string) => readFileSync(join(__dirname, '../fixtures/unico', name), 'utf8');
    const processId = '8263a268-5388-492a-bca2-28e1ff4a69f0';
    sim.script(processId, { state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const ok = await webhook(seed('seed-finished-ok.json'));
    expect(ok).toEqual({ status: 200, body: { accepted: 1 } });
    const expired = await webhook(seed('seed-finished-expired.json'));
    expect(expired.status).toBe(200);
    // lastEvent and state: accepted, or late once GetProcess has already closed the verification.
    const counts = expired.body as { accepted: number; late?: number };
    expect(counts.accepted + (counts.late ?? 0)).toBe(2);
    const final = await finalState(processId);
    expect([final.status, final.decision]).toEqual(['COMPLETED', 'APPROVED']);
    expect(entries(final)[0]).toEqual(['callback', 'PROCESS_STATE_FINISHED/ok', 'applied']);
  });

  it('a new lastEvent is handled by configuration alone (UNICO_EVENTS)', async () => {
    const progress = await startedByApp({ state: 'PROCESS_STATE_CREATED' });
    const unknown = await startedByApp({ state: 'PROCESS_STATE_CREATED' });
    const review = await startedByApp({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK' });
    const event = (id: string, lastEvent: string) =>
      webhook(sim.callback(id, { state: 'PROCESS_STATE_CREATED', flow: 'id', lastEvent }));
    const responses = await Promise.all([
      event(progress, 'EVENT_TYPE_LIVENESS_CAPTURED'),
      event(unknown, 'EVENT_TYPE_NOT_CONFIGURED_ANYWHERE'),
      event(review, 'EVENT_TYPE_MANUAL_REVIEW_FINISHED'),
    ]);
    expect(responses.map((r) => r.body)).toEqual([{ accepted: 2 }, { accepted: 2 }, { accepted: 2 }]);

    const moved = await stateWhen(progress, (s) => s.timeline.length >= 2, 'configured event applied');
    expect([moved.status, moved.providerStatus]).toEqual(['IN_PROGRESS', 'EVENT_TYPE_LIVENESS_CAPTURED']);
    const recorded = await stateWhen(unknown, (s) => s.timeline.length >= 2, 'unknown event recorded');
    expect(recorded.status).toBe('PENDING');
    // Unico calls its events configuration: an unlisted one is recorded for a human, and moves nothing.
    expect(entries(recorded)[0]).toEqual(['callback', 'EVENT_TYPE_NOT_CONFIGURED_ANYWHERE', 'recorded']);
    expect(recorded.attention).toEqual(['unknown_event']);

    // Configured as "submitted, fetch the result now": GetProcess gives the verdict.
    const final = await finalState(review);
    expect([final.status, final.decision, final.polls]).toEqual(['COMPLETED', 'APPROVED', 0]);
    expect(final.timeline[0]).toMatchObject({
      source: 'callback',
      providerStatus: 'EVENT_TYPE_MANUAL_REVIEW_FINISHED',
      outcome: 'applied',
      status: 'SUBMITTED',
    });

    // Leave nothing polling behind.
    await Promise.all([kyc.cancelVerification('unico', progress), kyc.cancelVerification('unico', unknown)]);
    const closed = await Promise.all([finalState(progress), finalState(unknown)]);
    expect(closed.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  describe('flows and the fraudster base', () => {
    it("Unico's idlive example: the webhook names the flow, GetProcess answers live (the rest unused): APPROVED", async () => {
      const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_OK', flow: 'idlive' });
      expect(await webhook(sim.finished(id, 'ok', { flow: 'idlive' }))).toEqual({ status: 200, body: { accepted: 1 } });
      const final = await finalState(id);
      expect([final.status, final.decision]).toEqual(['COMPLETED', 'APPROVED']);
      expect(final.context).toMatchObject({ flow: 'idlive' });
      expect(final.timeline.at(-1)).toMatchObject({ source: 'poll', detail: 'flow:idlive liveness:LIVE' });
    });

    it('a GetProcess answer without a flow is read by the flow the webhook named', async () => {
      const id = newProcess({
        state: 'PROCESS_STATE_FINISHED',
        result: 'PROCESS_RESULT_OK',
        flow: null,
        authenticationInfo: {
          livenessResult: 'LIVENESS_RESULT_LIVE',
          authenticationResult: 'AUTHENTICATION_RESULT_UNSPECIFIED',
        },
      });
      await webhook(sim.finished(id, 'ok', { flow: 'idlive' }));
      expect((await finalState(id)).decision).toBe('APPROVED');
    });

    it('a positive live face with a fraudster hit in the TRUST_RESULT_* spelling is REVIEW, never APPROVED', async () => {
      const id = newProcess({
        state: 'PROCESS_STATE_FINISHED',
        result: 'PROCESS_RESULT_OK',
        flow: 'idtrust',
        authenticationInfo: {
          livenessResult: 'LIVENESS_RESULT_LIVE',
          authenticationResult: 'AUTHENTICATION_RESULT_POSITIVE',
          identityFraudstersResult: 'TRUST_RESULT_YES',
        },
      });
      await webhook(sim.finished(id, 'ok', { flow: 'idtrust' }));
      expect(await finalState(id)).toMatchObject({ status: 'COMPLETED', decision: 'REVIEW' });
    });

    it('OK without authenticationInfo (no capability answered) is APPROVED', async () => {
      const id = newProcess({
        state: 'PROCESS_STATE_FINISHED',
        result: 'PROCESS_RESULT_OK',
        withoutAuthenticationInfo: true,
      });
      await webhook(sim.finished(id, 'ok'));
      expect(await finalState(id)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    });

    it('an unknown GetProcess result is ACTION_REQUIRED with attention, fetched once, not in a loop', async () => {
      const id = newProcess({ state: 'PROCESS_STATE_FINISHED', result: 'PROCESS_RESULT_NEWWORD' });
      await webhook(sim.finished(id, 'ok'));
      const state = await stateWhen(id, (s) => s.status === 'ACTION_REQUIRED', 'the unknown result applied');
      expect(state).toMatchObject({
        providerStatus: 'PROCESS_STATE_FINISHED/PROCESS_RESULT_NEWWORD',
        attention: ['unknown_result'],
      });
      expect(state.wait.resultAnnounced).toBe(false);
      // The fallback polls (2 s grace, then 1 s apart here) go on; no fetch repeated at once.
      const asked = sim.processGets(id);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(sim.processGets(id) - asked).toBeLessThanOrEqual(3);
      await kyc.cancelVerification('unico', id);
      await finalState(id);
    });

    it('a state of 61 characters and empty words are accepted (200), never refused', async () => {
      const id = newProcess({ state: 'PROCESS_STATE_CREATED' });
      const long = `PROCESS_STATE_${'X'.repeat(47)}`;
      expect(await webhook({ processId: id, state: long, result: '', flow: '', lastEvent: '' })).toEqual({
        status: 200,
        body: { accepted: 1 },
      });
      const state = await stateWhen(id, (s) => s.timeline.length > 0, 'the long state applied');
      expect(state).toMatchObject({ status: 'ACTION_REQUIRED', providerStatus: long, attention: ['unknown_status'] });
      await kyc.cancelVerification('unico', id);
      await finalState(id);
    });
  });
});
