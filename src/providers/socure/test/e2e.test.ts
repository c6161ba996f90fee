import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../../client';
import { createIngressApp } from '../../../ingress/app';
import { listen } from '../../../http/listen';
import { silentLogger } from '../../../logger';
import {
  socureCallbackHeaders,
  socureCallbacks,
  startSocureSimulator,
  type SocureSimulator,
} from '../../../providers/socure/testing/simulator';
import { postJson, sendCallbacks } from '../../../testing/callback-sender';
import type { TimelineEntry, VerificationState } from '../../../verification/model';
import { kycWorkflowId } from '../../../contracts';
import { eventually, startStack, startTemporal, testConfig, type Stack } from '../../../../test/support/stack';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures', 'socure', name), 'utf8')) as unknown;

/** RiskOS sends Basic credentials configured in its dashboard. */
const RISKOS_BASIC = 'riskos-user:riskos-pass';

/** What a test asserts about a timeline entry: where it came from, what it said, what it did. */
const brief = (entry: TimelineEntry) => [entry.source, entry.providerStatus, entry.outcome];
const callbacksOf = (state: VerificationState) => state.timeline.filter((e) => e.source === 'callback').map(brief);

describe('socure end to end (ingress → Temporal → simulator)', () => {
  let env: TestWorkflowEnvironment;
  let sim: SocureSimulator;
  /** The default flavour: ID+ retrieval; callbacks authenticated by a bearer token or the raw secret. */
  let stack: Stack;
  /** RiskOS retrieval; callbacks authenticated by Basic. */
  let riskos: Stack;
  /** ID+ retrieval with SOCURE_CONFIRM_VERDICTS=true (the production default). */
  let confirming: Stack;
  let kyc: KycClient;
  let kycRiskos: KycClient;

  beforeAll(async () => {
    // Years of retention: the documented examples sent as they stand are not stale here.
    env = await startTemporal({ retentionDays: 3650 });
    sim = await startSocureSimulator();
    const common = {
      // Only this provider: the others' modules are other engineers' work in progress.
      KYC_PROVIDERS: 'socure',
      SOCURE_API_BASE_URL: sim.url,
      SOCURE_API_KEY: sim.apiKey,
      SOCURE_CALLBACK_GRACE: '2s',
      SOCURE_POLL_SCHEDULE: '1,1,1,1',
      SOCURE_EXPIRES_AFTER: '1h',
      // Shortens the announced-result backoff where the shared config offers it; ignored otherwise.
      KYC_PROVIDER_RETRY_INITIAL: '1s',
    };
    [stack, riskos, confirming] = await Promise.all([
      startStack(env, {
        ...common,
        // Legacy DocV sends its shared secret in Authorization, as a bearer token or bare (login.gov).
        SOCURE_WEBHOOK_AUTH: `bearer:${sim.webhookSecret};header:Authorization=${sim.webhookSecret}`,
        // The other flavour's host, for verifications whose callbacks name RiskOS.
        SOCURE_RISKOS_API_BASE_URL: sim.url,
      }),
      startStack(env, { ...common, SOCURE_RESULT_API: 'riskos', SOCURE_WEBHOOK_AUTH: `basic:${RISKOS_BASIC}` }),
      startStack(env, {
        ...common,
        SOCURE_WEBHOOK_AUTH: `bearer:${sim.webhookSecret}`,
        SOCURE_CONFIRM_VERDICTS: 'true',
      }),
    ]);
    kyc = new KycClient(stack.client, stack.config);
    kycRiskos = new KycClient(riskos.client, riskos.config);
  });

  afterAll(async () => {
    await Promise.all([stack?.stop(), riskos?.stop(), confirming?.stop()]);
    await sim?.close();
    await env?.teardown();
  });

  const webhook = (s: Stack) => `${s.ingressUrl}/webhooks/socure`;
  const send = (body: unknown, headers = sim.callbackHeaders()) => postJson(webhook(stack), body, headers);
  const sendRiskos = (body: unknown) => postJson(webhook(riskos), body, socureCallbackHeaders(RISKOS_BASIC, 'basic'));
  const finalState = (reference: string, client = kyc) =>
    client.waitForVerification('socure', reference, { timeoutMs: 30_000 });
  /** Event times a second apart, so the provider's order is unambiguous. */
  const times = (count: number) => Array.from({ length: count }, (_, i) => new Date(Date.now() - (count - i) * 1000));
  const workflowExists = async (s: Stack, reference: string) =>
    s.client.workflow
      .getHandle(kycWorkflowId('socure', reference))
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );

  it('happy path (seed shape): APP_OPENED → DOCUMENTS_UPLOADED → VERIFICATION_COMPLETED/accept ends APPROVED', async () => {
    const reference = randomUUID();
    await kyc.startVerification({ provider: 'socure', reference, customerReference: 'cust-1' });
    const [t0, t1, t2] = times(3);
    const results = await sendCallbacks(
      webhook(stack),
      [
        socureCallbacks.docv(reference, 'APP_OPENED', { at: t0 }),
        socureCallbacks.docv(reference, 'DOCUMENTS_UPLOADED', { at: t1 }),
        socureCallbacks.docv(reference, 'VERIFICATION_COMPLETED', { at: t2, decision: 'accept' }),
      ].map((body) => ({ body, headers: sim.callbackHeaders() })),
    );
    expect(results.map((r) => [r.status, r.body])).toEqual([
      [200, { accepted: 1 }],
      [200, { accepted: 1 }],
      [200, { accepted: 1 }],
    ]);

    const final = await finalState(reference);
    expect(final).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      providerStatus: 'VERIFICATION_COMPLETED/accept',
      providerStatusAt: t2!.toISOString(),
      registeredByApp: true,
      customerReference: 'cust-1',
    });
    expect(callbacksOf(final)).toEqual([
      ['callback', 'APP_OPENED', 'applied'],
      ['callback', 'DOCUMENTS_UPLOADED', 'applied'],
      ['callback', 'VERIFICATION_COMPLETED/accept', 'applied'],
    ]);
    expect(final.timeline.map((e) => e.status)).toContain('SUBMITTED');
  });

  it('legacy DocV envelope with the document data (bare secret, as login.gov receives it): REJECTED, no PII kept', async () => {
    const reference = randomUUID();
    const body = socureCallbacks.legacy(reference, 'VERIFICATION_COMPLETED', { decision: 'reject' });
    expect(await send(body, socureCallbackHeaders(sim.webhookSecret, 'raw'))).toEqual({
      status: 200,
      body: { accepted: 1 },
    });

    const final = await finalState(reference);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED', registeredByApp: false });
    const stored = JSON.stringify(final);
    for (const personal of ['Jane', 'Doe', '1980-01-01', 'D1234567', 'app-user-123'])
      expect(stored).not.toContain(personal);
  });

  it.each([
    ['seed', 'VERIFICATION_COMPLETED', 'resubmit', 'COMPLETED', 'RESUBMIT'],
    ['seed', 'VERIFICATION_COMPLETED', 'review', 'COMPLETED', 'REVIEW'],
    ['legacy', 'SESSION_EXPIRED', undefined, 'EXPIRED', undefined],
    ['legacy', 'CONSENT_DECLINED', undefined, 'ABANDONED', undefined],
  ])('terminal outcome: %s %s %s → %s %s', async (shape, eventType, decision, status, canonical) => {
    const reference = randomUUID();
    const build = shape === 'seed' ? socureCallbacks.docv : socureCallbacks.legacy;
    expect((await send(build(reference, eventType, decision ? { decision } : {}))).status).toBe(200);
    const final = await finalState(reference);
    expect(final.status).toBe(status);
    expect(final.decision).toBe(canonical);
    expect(final.timeline.at(-1)).toMatchObject({ source: 'callback', outcome: 'applied', status });
  });

  it('duplicate and out-of-order callbacks: nothing moves backwards, redeliveries change nothing, late ones are told so', async () => {
    const reference = randomUUID();
    const ids = ['redirect', 'opened', 'front', 'uploaded', 'completed'].map((name) => `${name}-${randomUUID()}`);
    const types = ['WAITING_FOR_USER_TO_REDIRECT', 'APP_OPENED', 'DOCUMENT_FRONT_UPLOADED', 'DOCUMENTS_UPLOADED'];
    const at = times(5);
    const bodies = [
      ...types.map((type, i) => socureCallbacks.legacy(reference, type, { id: ids[i], at: at[i] })),
      socureCallbacks.legacy(reference, 'VERIFICATION_COMPLETED', { id: ids[4], at: at[4], decision: 'accept' }),
    ];
    const results = await sendCallbacks(
      webhook(stack),
      bodies.map((body) => ({ body, headers: sim.callbackHeaders() })),
      { order: [3, 1, 0, 2, 4], duplicate: [3, 1] },
    );
    expect(results.every((r) => r.status === 200)).toBe(true);

    const final = await finalState(reference);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(callbacksOf(final)).toEqual([
      ['callback', 'DOCUMENTS_UPLOADED', 'applied'],
      ['callback', 'DOCUMENTS_UPLOADED', 'duplicate'],
      ['callback', 'APP_OPENED', 'stale'],
      ['callback', 'APP_OPENED', 'duplicate'],
      ['callback', 'WAITING_FOR_USER_TO_REDIRECT', 'stale'],
      ['callback', 'DOCUMENT_FRONT_UPLOADED', 'stale'],
      ['callback', 'VERIFICATION_COMPLETED/accept', 'applied'],
    ]);
    // The verification has closed: a redelivery of its last event starts nothing.
    expect(await send(bodies[4])).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
  });

  it('a missed VERIFICATION_COMPLETED is rescued by polling ID+ after the grace period', async () => {
    const reference = randomUUID();
    sim.script(reference, { decision: 'reject' });
    const [t0, t1] = times(2);
    await sendCallbacks(
      webhook(stack),
      [
        socureCallbacks.docv(reference, 'APP_OPENED', { at: t0 }),
        socureCallbacks.docv(reference, 'DOCUMENTS_UPLOADED', { at: t1 }),
        socureCallbacks.docv(reference, 'VERIFICATION_COMPLETED', { decision: 'reject' }),
      ].map((body) => ({ body, headers: sim.callbackHeaders() })),
      { drop: [2] },
    );

    const final = await finalState(reference);
    expect(final).toMatchObject({
      status: 'COMPLETED',
      decision: 'REJECTED',
      providerStatus: 'VERIFICATION_COMPLETED/reject',
    });
    expect(brief(final.timeline.at(-1)!)).toEqual(['poll', 'VERIFICATION_COMPLETED/reject', 'applied']);
    expect(sim.requestsFor(reference)[0]).toEqual({
      method: 'POST',
      path: '/api/3.0/EmailAuthScore',
      reference,
      scheme: 'SocureApiKey',
    });
  });

  it('VERIFICATION_COMPLETED without a decision is fetched from the API, through a 503 and a 429', async () => {
    const reference = randomUUID();
    sim.script(reference, { decision: 'accept', faults: { serverError: 1, rateLimited: 1 } });
    expect((await send(socureCallbacks.docv(reference, 'VERIFICATION_COMPLETED'))).status).toBe(200);

    const final = await finalState(reference);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(final.timeline.map(brief)).toEqual([
      ['callback', 'VERIFICATION_COMPLETED', 'applied'],
      ['poll', 'VERIFICATION_COMPLETED/accept', 'applied'],
    ]);
    expect(final.timeline[0]!.status).toBe('SUBMITTED');
    // 503, then 429 (Retry-After honoured), then the answer: retried inside one activity, never a verdict.
    expect(sim.requestsFor(reference)).toHaveLength(3);
  });

  it('RiskOS: a paused evaluation is not a verdict; evaluation_completed is', async () => {
    const evalId = randomUUID();
    const [t0, t1, t2] = times(3);
    expect(await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_paused', { at: t0 }))).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    expect((await sendRiskos(socureCallbacks.riskos(evalId, 'case_notes_added', { at: t1 }))).status).toBe(200);
    const paused = await eventually(async () => {
      const state = await kycRiskos.getVerification('socure', evalId);
      return state.timeline.length >= 2 ? state : undefined;
    });
    expect(paused).toMatchObject({ status: 'IN_PROGRESS', providerStatus: 'evaluation_paused' });
    expect(paused.decision).toBeUndefined();

    await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_completed', { at: t2, decision: 'REJECT' }));
    const final = await finalState(evalId, kycRiskos);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(callbacksOf(final)).toEqual([
      ['callback', 'evaluation_paused', 'applied'],
      ['callback', 'case_notes_added', 'recorded'],
      ['callback', 'evaluation_completed/REJECT', 'applied'],
    ]);
  });

  it('RiskOS: polls of a paused evaluation change nothing; a missed evaluation_completed is rescued', async () => {
    const evalId = randomUUID();
    sim.script(evalId, {});
    expect((await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_paused'))).status).toBe(200);
    await eventually(async () => (sim.requestsFor(evalId).length >= 1 ? true : undefined), 15_000, 'a RiskOS poll');
    expect((await kycRiskos.getVerification('socure', evalId)).status).toBe('IN_PROGRESS');

    sim.script(evalId, { decision: 'resubmit' });
    const final = await finalState(evalId, kycRiskos);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'RESUBMIT' });
    expect(brief(final.timeline.at(-1)!)).toEqual(['poll', 'evaluation_completed/RESUBMIT', 'applied']);
    expect(new Set(sim.requestsFor(evalId).map((r) => `${r.method} ${r.path} ${r.scheme}`))).toEqual(
      new Set([`GET /api/evaluation/${evalId} Bearer`]),
    );
  });

  it("RiskOS: REVIEW on an open case keeps it open (provisional); the reviewer's decision_update ends it, final", async () => {
    const evalId = randomUUID();
    const [t0, t1] = times(2);
    const inReview = { at: t0, decision: 'REVIEW', status: 'OPEN', subStatus: 'In Review' };
    expect((await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_completed', inReview))).status).toBe(200);
    const held = await eventually(async () => {
      const state = await kycRiskos.getVerification('socure', evalId);
      return state.timeline.length >= 1 ? state : undefined;
    });
    expect(held).toMatchObject({
      status: 'ACTION_REQUIRED',
      providerStatus: 'evaluation_completed/REVIEW',
      provisional: { status: 'COMPLETED', decision: 'REVIEW', awaiting: 'provider_review' },
    });
    expect(held.decision).toBeUndefined();
    // Still open: a wait times out.
    await expect(kycRiskos.waitForVerification('socure', evalId, { timeoutMs: 1000 })).rejects.toThrow(/not finished/);

    const update = socureCallbacks.decisionUpdate(evalId, 'ACCEPT', { at: t1, status: 'CLOSED' });
    expect((await sendRiskos(update)).body).toEqual({ accepted: 1 });
    const final = await finalState(evalId, kycRiskos);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    expect(final.provisional).toBeUndefined();
    expect(final.decisions?.map((d) => [d.providerStatus, d.final])).toEqual([
      ['evaluation_completed/REVIEW', false],
      ['decision_update/ACCEPT', true],
    ]);
  });

  it("RiskOS: a reviewer's decision whose webhook was lost is found by the fallback polls", async () => {
    const evalId = randomUUID();
    sim.script(evalId, {
      decision: 'review',
      caseStatus: 'OPEN',
      timeline: [{ afterMs: 4000, decision: 'accept', caseStatus: 'CLOSED' }],
    });
    const inReview = { decision: 'REVIEW', status: 'OPEN', subStatus: 'In Review' };
    expect((await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_completed', inReview))).status).toBe(200);
    const final = await finalState(evalId, kycRiskos);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    expect(brief(final.timeline.at(-1)!)).toEqual(['poll', 'evaluation_completed/ACCEPT', 'applied']);
  });

  it('a RiskOS evaluation reaching a stack configured for ID+ is polled on RiskOS, its own flavour', async () => {
    const evalId = randomUUID();
    sim.script(evalId, {});
    // The evaluation_completed that follows is lost: only polling can finish this verification.
    expect((await send(socureCallbacks.riskos(evalId, 'evaluation_paused'))).status).toBe(200);
    await eventually(async () => (sim.requestsFor(evalId).length >= 1 ? true : undefined), 15_000, 'a RiskOS poll');
    sim.script(evalId, { decision: 'accept' });
    const final = await finalState(evalId);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', context: { socureApi: 'riskos' } });
    // Never asked on ID+ (where it would be "not found" until it expired).
    expect(new Set(sim.requestsFor(evalId).map((r) => `${r.method} ${r.path} ${r.scheme}`))).toEqual(
      new Set([`GET /api/evaluation/${evalId} Bearer`]),
    );
  });

  it('SOCURE_CONFIRM_VERDICTS: a callback verdict ends nothing until ID+ confirms it; the API verdict wins', async () => {
    const reference = randomUUID();
    // What Socure's API says; the callback claims otherwise (a leaked static secret could forge it).
    sim.script(reference, { decision: 'reject' });
    const body = socureCallbacks.legacy(reference, 'VERIFICATION_COMPLETED', { decision: 'accept' });
    expect(await postJson(webhook(confirming), body, sim.callbackHeaders())).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    const final = await finalState(reference, new KycClient(confirming.client, confirming.config));
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(final.timeline.map(brief)).toEqual([
      ['callback', 'VERIFICATION_COMPLETED/accept', 'applied'],
      ['poll', 'VERIFICATION_COMPLETED/reject', 'applied'],
    ]);
    expect(final.timeline[0]).toMatchObject({ status: 'SUBMITTED' });
    expect(sim.requestsFor(reference).map((r) => `${r.method} ${r.path}`)).toContain('POST /api/3.0/EmailAuthScore');
  });

  it('SOCURE_CONFIRM_VERDICTS: SESSION_EXPIRED is only a claim; ID+ cannot tell, and the verdict that follows ends it, final', async () => {
    const reference = randomUUID();
    const client = new KycClient(confirming.client, confirming.config);
    // ID+ answers without a decision until there is one.
    sim.script(reference, {});
    const expired = socureCallbacks.legacy(reference, 'SESSION_EXPIRED');
    expect((await postJson(webhook(confirming), expired, sim.callbackHeaders())).body).toEqual({ accepted: 1 });
    // Asked at once (no 2 s grace), and still open.
    await eventually(async () => (sim.requestsFor(reference).length >= 1 ? true : undefined), 15_000, 'an ID+ call');
    const held = await client.getVerification('socure', reference);
    expect(held.status).toBe('PENDING');
    expect(held.claim).toMatchObject({ status: 'EXPIRED', providerStatus: 'SESSION_EXPIRED' });

    sim.script(reference, { decision: 'accept' });
    const completed = socureCallbacks.legacy(reference, 'VERIFICATION_COMPLETED', { decision: 'accept' });
    expect((await postJson(webhook(confirming), completed, sim.callbackHeaders())).status).toBe(200);
    const final = await finalState(reference, client);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', decisionFinal: true });
    expect(final.claim).toBeUndefined();
  });

  it('bad auth is refused (401, 403) and a bad body is 400, before anything reaches Temporal', async () => {
    const reference = randomUUID();
    const body = socureCallbacks.docv(reference, 'APP_OPENED');
    const unauthorized = { status: 401, body: expect.objectContaining({ error: 'unauthorized' }) as unknown };
    expect(await send(body, {})).toEqual(unauthorized);
    expect(await send(body, socureCallbackHeaders('wrong-secret', 'bearer'))).toEqual(unauthorized);
    expect(await send(body, socureCallbackHeaders(sim.webhookSecret, 'basic'))).toEqual(unauthorized);
    // The RiskOS route expects Basic: the legacy bearer secret is not enough there.
    expect(await postJson(webhook(riskos), body, sim.callbackHeaders())).toEqual(unauthorized);

    // An IP allowlist that excludes loopback: the caller cannot fix that with credentials.
    const config = testConfig({ KYC_PROVIDERS: 'socure', SOCURE_WEBHOOK_AUTH: 'ip:192.0.2.10' }, env.address);
    const ipOnly = await listen(
      createIngressApp({ client: stack.client, config, logger: silentLogger }),
      0,
      '127.0.0.1',
    );
    try {
      expect(await postJson(`http://127.0.0.1:${ipOnly.port}/webhooks/socure`, body, sim.callbackHeaders())).toEqual({
        status: 403,
        body: expect.objectContaining({ error: 'forbidden' }) as unknown,
      });
    } finally {
      await ipOnly.close();
    }

    const invalid = await send({ eventType: 'APP_OPENED', docvTransactionId: reference });
    expect(invalid).toEqual({
      status: 400,
      body: expect.objectContaining({
        error: 'invalid_callback',
        issues: [expect.objectContaining({ path: 'eventTime' })],
      }) as unknown,
    });
    expect(await workflowExists(stack, reference)).toBe(false);
  });

  it("the seed's example payloads, and the documented legacy and RiskOS samples, are accepted through the real ingress", async () => {
    const seed = fixture('seed-events.json') as Record<string, string>[];
    // A fresh reference per transaction of the seed (the first three events share one); the rest as it stands.
    const fresh = new Map(seed.map((event) => [event.docvTransactionId!, randomUUID()]));
    for (const event of seed) {
      const body = { ...event, docvTransactionId: fresh.get(event.docvTransactionId!)! };
      expect(await send(body)).toEqual({ status: 200, body: { accepted: 1 } });
    }
    const expected = [
      ['COMPLETED', 'APPROVED'],
      ['COMPLETED', 'REJECTED'],
      ['COMPLETED', 'RESUBMIT'],
      ['EXPIRED', undefined],
    ];
    const finals = await Promise.all([...fresh.values()].map((reference) => finalState(reference)));
    expect(finals.map((f) => [f.status, f.decision])).toEqual(expected);
    expect(finals[0]!.timeline.filter((e) => e.source === 'callback').map((e) => e.occurredAt)).toEqual(
      seed.slice(0, 3).map((e) => new Date(e.eventTime!).toISOString()),
    );

    const legacy = fixture('legacy-verification-completed.json') as { event: Record<string, unknown> };
    const token = randomUUID();
    legacy.event.docvTransactionToken = token;
    expect(await send(legacy)).toEqual({ status: 200, body: { accepted: 1 } });
    const riskosSample = fixture('riskos-evaluation-completed.json') as { data: Record<string, unknown> };
    const evalId = randomUUID();
    riskosSample.data.eval_id = evalId;
    expect(await sendRiskos(riskosSample)).toEqual({ status: 200, body: { accepted: 1 } });
    expect((await finalState(token)).decision).toBe('APPROVED');
    expect((await finalState(evalId, kycRiskos)).decision).toBe('APPROVED');
  });

  it('an unknown event type is accepted (200) as an unknown word: ACTION_REQUIRED with attention, the word kept', async () => {
    const reference = randomUUID();
    expect(await send(socureCallbacks.docv(reference, 'SELFIE_RETAKE_REQUESTED'))).toEqual({
      status: 200,
      body: { accepted: 1 },
    });
    const state = await eventually(async () => {
      const current = await kyc.getVerification('socure', reference);
      return current.timeline.length ? current : undefined;
    });
    expect(state).toMatchObject({
      status: 'ACTION_REQUIRED',
      providerStatus: 'SELFIE_RETAKE_REQUESTED',
      attention: ['unknown_event'],
    });
    expect(brief(state.timeline[0]!)).toEqual(['callback', 'SELFIE_RETAKE_REQUESTED', 'applied']);
  });

  describe('RiskOS: the stage and the case status say whether a decision is one', () => {
    /** RiskOS's documented paused evaluation (Hosted Flow, "Handle Results"), as a webhook's data. */
    const pausedData = (evalId: string) => {
      const {
        id: _appId,
        eval_id: _evalId,
        ...data
      } = fixture('riskos-hosted-flow-paused.docs.json') as Record<string, unknown>;
      return { eval_id: evalId, ...data };
    };

    it('evaluation_completed carrying the paused evaluation stays open (IN_PROGRESS); the later verdict ends it', async () => {
      const evalId = randomUUID();
      const [t0, t1] = times(2);
      const paused = { event_id: randomUUID(), event_at: t0!.toISOString(), event_type: 'evaluation_completed' };
      expect(await sendRiskos({ ...paused, data: pausedData(evalId) })).toEqual({ status: 200, body: { accepted: 1 } });
      const open = await eventually(async () => {
        const state = await kycRiskos.getVerification('socure', evalId);
        return state.timeline.length > 0 ? state : undefined;
      });
      expect(open).toMatchObject({ status: 'IN_PROGRESS', providerStatus: 'evaluation_completed' });
      expect(open.decision).toBeUndefined();
      expect(open.timeline[0]!.detail).toBe('More information needed');

      await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_completed', { at: t1, decision: 'ACCEPT' }));
      expect(await finalState(evalId, kycRiskos)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    });

    it("a reviewer's decision_update is a decision, not an ignored event", async () => {
      const evalId = randomUUID();
      const [t0, t1] = times(2);
      await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_paused', { at: t0 }));
      expect(
        await sendRiskos(
          socureCallbacks.decisionUpdate(evalId, 'REJECT', { at: t1, status: 'CLOSED', subStatus: 'Rejected' }),
        ),
      ).toEqual({ status: 200, body: { accepted: 1 } });
      const final = await finalState(evalId, kycRiskos);
      expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
      expect(callbacksOf(final)).toEqual([
        ['callback', 'evaluation_paused', 'applied'],
        ['callback', 'decision_update/REJECT', 'applied'],
      ]);
      expect(JSON.stringify(final)).not.toContain('reviewer@');
    });

    it('workflow_execution_failed ends the verification FAILED instead of leaving it to expire', async () => {
      const evalId = randomUUID();
      expect(await sendRiskos(socureCallbacks.workflowExecutionFailed(evalId))).toEqual({
        status: 200,
        body: { accepted: 1 },
      });
      expect(await finalState(evalId, kycRiskos)).toMatchObject({
        status: 'FAILED',
        providerStatus: 'workflow_execution_failed',
      });
    });

    it.each([
      ['terminated', 'CANCELLED'],
      ['failed', 'FAILED'],
    ])('a poll finding eval_status %s ends it %s', async (evalStatus, status) => {
      const evalId = randomUUID();
      sim.script(evalId, { evalStatus, caseStatus: null });
      await kycRiskos.startVerification({ provider: 'socure', reference: evalId });
      expect(await finalState(evalId, kycRiskos)).toMatchObject({ status, providerStatus: evalStatus });
    });

    it('a custom decision (CANCEL) is an unknown word: ACTION_REQUIRED, raw word kept, no refetch loop', async () => {
      const evalId = randomUUID();
      sim.script(evalId, { decision: 'cancel' });
      // Confirmed through the API (the webhook's unknown decision), whose answer is applied once.
      await sendRiskos(socureCallbacks.riskos(evalId, 'evaluation_completed', { decision: 'CANCEL' }));
      const state = await eventually(async () => {
        const current = await kycRiskos.getVerification('socure', evalId);
        return current.status === 'ACTION_REQUIRED' ? current : undefined;
      });
      expect(state).toMatchObject({ providerStatus: 'evaluation_completed/CANCEL', attention: ['unknown_decision'] });
      expect(state.decision).toBeUndefined();
      // Polls follow the schedule (1 s apart here), never a refetch at once.
      const asked = sim.requestsFor(evalId).length;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(sim.requestsFor(evalId).length - asked).toBeLessThanOrEqual(3);
    });
  });
});
