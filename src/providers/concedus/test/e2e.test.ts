import { randomInt, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient, VerificationNotFoundError } from '../../../client';
import { createIngressApp } from '../../../ingress/app';
import { listen } from '../../../http/listen';
import { silentLogger } from '../../../logger';
import { startConcedusSimulator, type ConcedusSimulator } from '../../../providers/concedus/testing/simulator';
import { postJson, sendCallbacks } from '../../../testing/callback-sender';
import type { TimelineEntry, VerificationState } from '../../../verification/model';
import seeds from '../../../../test/fixtures/concedus/seed-examples.json';
import { eventually, startStack, startTemporal, testConfig, type Stack } from '../../../../test/support/stack';

describe('concedus end to end (dev server, ingress, worker, simulator)', () => {
  let env: TestWorkflowEnvironment;
  let sim: ConcedusSimulator;
  let stack: Stack;
  let kyc: KycClient;

  beforeAll(async () => {
    // Years of retention: the documented examples sent as they stand are not stale here.
    env = await startTemporal({ retentionDays: 3650 });
    sim = await startConcedusSimulator();
    stack = await startStack(env, {
      // The other providers' modules are not this file's concern.
      KYC_PROVIDERS: 'concedus',
      CONCEDUS_API_BASE_URL: sim.url,
      CONCEDUS_USERNAME: sim.username,
      CONCEDUS_PASSWORD: sim.password,
      CONCEDUS_WEBHOOK_AUTH: sim.webhookAuth,
      CONCEDUS_CALLBACK_GRACE: '2s',
      CONCEDUS_POLL_SCHEDULE: '1,1,1,1',
      CONCEDUS_EXPIRES_AFTER: '1h',
      // A rejection code as an operator would add it once Concedus names one.
      CONCEDUS_STATUS_MAP: 'complianceRecord:200=COMPLETED/REJECTED',
    });
    kyc = new KycClient(stack.client, stack.config);
  });

  afterAll(async () => {
    await stack?.stop();
    await sim?.close();
    await env?.teardown();
  });

  const acceptedOne = { status: 200, body: { accepted: 1 } };
  const webhook = () => `${stack.ingressUrl}/webhooks/concedus`;
  const send = (body: unknown) => postJson(webhook(), body, sim.callbackHeaders);
  const finalState = (reference: string) => kyc.waitForVerification('concedus', reference, { timeoutMs: 25_000 });
  const person = () => `PERS_${randomUUID()}`;
  /** The key kind is part of the identity: persons, contracts and idents are prefixed, customers plain. */
  const asPerson = (key: string) => `person:${key}`;
  const identId = () => String(randomInt(100_000_000, 999_999_999));
  /** A person's verification is started by the app only: its ident callbacks join it, never start it. */
  const startPerson = (key: string) =>
    kyc.startVerification({ provider: 'concedus', reference: key, context: { keyKind: 'person' } });
  const entries = (state: VerificationState, source: TimelineEntry['source']) =>
    state.timeline.filter((entry) => entry.source === source).map((entry) => [entry.providerStatus, entry.outcome]);
  const stateWhen = (reference: string, ready: (state: VerificationState) => boolean) =>
    eventually(async () => {
      const state = await kyc.getVerification('concedus', reference);
      return ready(state) ? state : undefined;
    }, 20_000);

  it('happy path: an accepted customer is COMPLETED/APPROVED by its compliance record', async () => {
    const customer = randomUUID();
    await kyc.startVerification({ provider: 'concedus', reference: customer, context: { keyKind: 'customer' } });
    expect(await send([sim.complianceRecord({ customerKey: customer })])).toEqual(acceptedOne);
    const final = await finalState(customer);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'complianceRecord:100' });
    expect(final.timeline.at(-1)).toMatchObject({ source: 'callback', outcome: 'applied', status: 'COMPLETED' });
  });

  it('a compliance record whose key and modified are null is accepted (200): null reads as absent', async () => {
    const customer = randomUUID();
    await kyc.startVerification({ provider: 'concedus', reference: customer, context: { keyKind: 'customer' } });
    const record = sim.complianceRecord({ customerKey: customer }, 100, new Date(), {
      nullKey: true,
      nullModified: true,
    });
    expect(await send([record])).toEqual(acceptedOne);
    expect(await finalState(customer)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it('a compliance code no table maps is ACTION_REQUIRED with attention, the code kept; polls go on', async () => {
    const customer = randomUUID();
    await kyc.startVerification({ provider: 'concedus', reference: customer, context: { keyKind: 'customer' } });
    expect(await send([sim.complianceRecord({ customerKey: customer }, 300)])).toEqual(acceptedOne);
    const asking = await stateWhen(customer, (state) => state.status === 'ACTION_REQUIRED');
    expect(asking).toMatchObject({ providerStatus: 'complianceRecord:300', attention: ['unknown_code'] });
    // A later known code still settles it.
    sim.script('customer', customer, { status: 100 });
    expect(await finalState(customer)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  });

  it("a person's successful ident is progress, never an approval; the status API is still polled", async () => {
    const key = person();
    const ident = identId();
    sim.script('person', key, { status: 100 });
    await startPerson(key);
    expect(await send([sim.identRequestCreated(key, ident)])).toEqual(acceptedOne);
    expect(await send([sim.identResult(key, ident)])).toEqual(acceptedOne);
    const state = await stateWhen(asPerson(key), (s) =>
      s.timeline.some((e) => e.source === 'poll' && e.providerStatus === 'ident:100'),
    );
    // Compliance decides whether the customer is accepted: the verified ident leaves it SUBMITTED.
    expect(state).toMatchObject({ status: 'SUBMITTED', context: { keyKind: 'person', identId: ident } });
    expect(state.decision).toBeUndefined();
    expect(entries(state, 'callback')).toEqual([
      ['identRequestCreated', 'applied'],
      ['identResult:success', 'applied'],
    ]);
    expect(sim.requests).toContain(`GET /v2/status/person/${key}`);
  });

  it.each([
    {
      outcome: 'contract accepted (topic format) → COMPLETED/APPROVED',
      begin: async (ref: string) => {
        expect(await send([sim.complianceTopic(sim.complianceRecord({ contractKey: ref }))])).toEqual(acceptedOne);
      },
      expected: { status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'complianceRecord:100' },
      callbacks: [['complianceRecord:100', 'applied']],
      subject: (ref: string) => `contract:${ref}`,
    },
    {
      outcome: 'configured rejection code → COMPLETED/REJECTED',
      begin: async (ref: string) => {
        expect(await send([sim.complianceRecord({ customerKey: ref }, 200)])).toEqual(acceptedOne);
      },
      expected: { status: 'COMPLETED', decision: 'REJECTED', providerStatus: 'complianceRecord:200' },
      callbacks: [['complianceRecord:200', 'applied']],
      subject: (ref: string) => ref,
    },
    {
      outcome: "ident failure (identResult 'failed' raises attention, status API 0) → FAILED",
      begin: async (ref: string) => {
        sim.script('person', ref, { status: 0 });
        await startPerson(ref);
        expect(await send([sim.identResult(ref, identId(), 'failed')])).toEqual(acceptedOne);
      },
      expected: { status: 'FAILED', decision: undefined, providerStatus: 'ident:0' },
      callbacks: [['identResult:failed', 'applied']],
      subject: asPerson,
    },
    {
      outcome: 'ident aborted (status API 102) → ABANDONED',
      begin: async (ref: string) => {
        sim.script('person', ref, { status: 102 });
        await kyc.startVerification({ provider: 'concedus', reference: ref, context: { keyKind: 'person' } });
      },
      expected: { status: 'ABANDONED', decision: undefined, providerStatus: 'ident:102' },
      callbacks: [],
      // Started by the app with the plain key and its kind in the context: registered as the person.
      subject: asPerson,
    },
  ])('terminal outcome: $outcome', async ({ begin, expected, callbacks, subject }) => {
    const ref = person();
    await begin(ref);
    const final = await finalState(subject(ref));
    expect({ status: final.status, decision: final.decision, providerStatus: final.providerStatus }).toEqual(expected);
    expect(entries(final, 'callback')).toEqual(callbacks);
  });

  it('duplicate and out-of-order callbacks change nothing; mismatch values never reach the state', async () => {
    const key = person();
    const ident = identId();
    const headers = sim.callbackHeaders;
    await startPerson(key);
    const results = await sendCallbacks(
      webhook(),
      [
        { body: [sim.identRequestCreated(key, ident)], headers },
        { body: [sim.mismatches(key, ident, ['BirthPlace', 'Nationality'])], headers },
      ],
      { order: [1, 0], duplicate: [1] },
    );
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [1, 200],
      [1, 200],
      [0, 200],
    ]);
    const state = await stateWhen(asPerson(key), (s) => s.timeline.filter((e) => e.source === 'callback').length === 3);
    expect(state.status).toBe('ACTION_REQUIRED');
    expect(entries(state, 'callback')).toEqual([
      ['mismatches', 'applied'],
      ['mismatches', 'duplicate'],
      ['identRequestCreated', 'stale'],
    ]);
    expect(state.timeline.find((e) => e.providerStatus === 'mismatches')?.detail).toBe(
      'fields: BirthPlace,Nationality',
    );
    expect(JSON.stringify(state)).not.toMatch(/Frankfurt|Beirut|webid-solutions/);

    // Concedus's own checks fail the ident after the KYC provider's success (status 0).
    sim.script('person', key, { status: 0 });
    expect(await send([sim.identResult(key, ident)])).toEqual(acceptedOne);
    expect(await finalState(asPerson(key))).toMatchObject({ status: 'FAILED', providerStatus: 'ident:0' });
    // A redelivery after the end is acknowledged and starts nothing.
    expect(await send([sim.identResult(key, ident)])).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
  });

  it('a missed final callback is rescued by polling the endpoint the first callback implied', async () => {
    const key = person();
    const ident = identId();
    sim.script('person', key, { status: 0 });
    await startPerson(key);
    const results = await sendCallbacks(
      webhook(),
      [
        { body: [sim.identRequestCreated(key, ident)], headers: sim.callbackHeaders },
        { body: [sim.identResult(key, ident)], headers: sim.callbackHeaders },
      ],
      { drop: [1] },
    );
    expect(results.map((r) => r.status)).toEqual([200]);
    const final = await finalState(asPerson(key));
    expect(final).toMatchObject({ status: 'FAILED' });
    expect(entries(final, 'callback')).toEqual([['identRequestCreated', 'applied']]);
    expect(final.timeline.at(-1)).toMatchObject({ source: 'poll', providerStatus: 'ident:0', outcome: 'applied' });
  });

  it('expiry: confirmed by a poll, then EXPIRED', async () => {
    const key = person();
    sim.script('person', key, { status: 101 });
    await kyc.startVerification({
      provider: 'concedus',
      reference: key,
      context: { keyKind: 'person' },
      expiresAt: new Date(Date.now() + 4000),
    });
    const final = await finalState(asPerson(key));
    expect(final.status).toBe('EXPIRED');
    expect(final.decision).toBeUndefined();
    expect(
      final.timeline.some((e) => e.source === 'poll' && e.providerStatus === 'ident:101' && e.outcome === 'applied'),
    ).toBe(true);
    expect(final.timeline.at(-2)?.source).toBe('poll');
    expect(final.timeline.at(-1)).toMatchObject({
      source: 'timer',
      providerStatus: 'EXPIRY_REACHED',
      outcome: 'applied',
      status: 'EXPIRED',
    });
  });

  it('retrieval errors (5xx and 429 bursts) are retried until Concedus answers', async () => {
    // A person's status after identResult success is polled through a 503 and a 429.
    const announced = person();
    sim.script('person', announced, { status: 0, faults: { serverError: 1, rateLimited: 1 } });
    // A fallback poll gives up after three 503s (recorded), the next slot gets a 429, then the answer.
    const polled = randomUUID();
    sim.script('customer', polled, { status: 100, faults: { serverError: 3, rateLimited: 1 } });
    await kyc.startVerification({ provider: 'concedus', reference: polled });
    await startPerson(announced);
    expect(await send([sim.identResult(announced, identId())])).toEqual(acceptedOne);

    const [viaRetrieval, viaPolling] = await Promise.all([finalState(asPerson(announced)), finalState(polled)]);
    expect(viaRetrieval).toMatchObject({ status: 'FAILED', providerStatus: 'ident:0' });
    expect(sim.requests.filter((r) => r === `GET /v2/status/person/${announced}`).length).toBeGreaterThanOrEqual(3);
    expect(viaPolling).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      providerStatus: 'complianceRecord:100',
    });
    expect(viaPolling.timeline).toContainEqual(
      expect.objectContaining({ source: 'poll', outcome: 'poll-failed', providerStatus: 'ProviderUnavailable' }),
    );
    expect(viaPolling.timeline.at(-1)).toMatchObject({ source: 'poll', outcome: 'applied' });
  });

  it('bad auth is refused (401/403) and nothing reaches Temporal', async () => {
    const customer = randomUUID();
    const body = [sim.complianceRecord({ customerKey: customer })];
    const wrong = `Basic ${Buffer.from('concedus-callbacks:wrong').toString('base64')}`;
    expect(await postJson(webhook(), body)).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await postJson(webhook(), body, { Authorization: wrong })).toMatchObject({ status: 401 });
    expect(await postJson(webhook(), body, { Authorization: 'Bearer concedus-callbacks:sim-secret' })).toMatchObject({
      status: 401,
    });

    // An operator who allowlists Concedus's addresses instead: a caller from elsewhere is 403.
    const ipOnly = testConfig({ KYC_PROVIDERS: 'concedus', CONCEDUS_WEBHOOK_AUTH: 'ip:192.0.2.10' }, env.address);
    const ingress = await listen(
      createIngressApp({ client: stack.client, config: ipOnly, logger: silentLogger }),
      0,
      '127.0.0.1',
    );
    try {
      const response = await postJson(`http://127.0.0.1:${ingress.port}/webhooks/concedus`, body, sim.callbackHeaders);
      expect(response).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    } finally {
      await ingress.close();
    }
    await expect(kyc.getVerification('concedus', customer)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });

  it("the seed's example payloads are accepted as they stand", async () => {
    const seedPerson = seeds.topicIdentResult[0]!.personKey;
    sim.script('person', seedPerson, { status: 100 });
    await startPerson(seedPerson);
    for (const body of [seeds.legacyCustomer, seeds.topicComplianceRecord, seeds.topicIdentResult]) {
      expect(await send(body)).toEqual(acceptedOne);
    }
    const [customer, topicCustomer, identPerson] = await Promise.all([
      finalState(seeds.legacyCustomer[0]!.customerKey),
      finalState(seeds.topicComplianceRecord[0]!.complianceRecord[0]!.customerKey),
      stateWhen(asPerson(seedPerson), (s) => s.timeline.some((e) => e.providerStatus === 'ident:100')),
    ]);
    expect(customer).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      providerStatusAt: '2025-09-03T06:38:08.000Z',
    });
    expect(topicCustomer).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(identPerson).toMatchObject({ status: 'SUBMITTED', context: { keyKind: 'person', identId: '315065706' } });
    // The contract example repeats the customer example's key: a contract is another identity, so
    // it is its own verification, and the closed customer's is untouched.
    expect(await send(seeds.legacyContract)).toEqual(acceptedOne);
    const contract = await finalState(`contract:${seeds.legacyContract[0]!.contractKey}`);
    expect(contract).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', context: { keyKind: 'contract' } });
    expect((await kyc.getVerification('concedus', seeds.legacyCustomer[0]!.customerKey)).timeline).toHaveLength(
      customer.timeline.length,
    );
  });

  it('one array fans out to every verification it names, legacy and topic records mixed', async () => {
    const [customer, rejectedCustomer, contract] = [randomUUID(), randomUUID(), randomUUID()];
    const [verified, mismatched] = [person(), person()];
    sim.script('person', verified, { status: 0 });
    await Promise.all([startPerson(verified), startPerson(mismatched)]);
    const response = await send([
      sim.complianceRecord({ customerKey: customer }),
      sim.complianceTopic(
        sim.complianceRecord({ contractKey: contract }),
        sim.complianceRecord({ customerKey: rejectedCustomer }, 200),
      ),
      sim.identResult(verified, identId()),
      sim.mismatches(mismatched, identId(), ['Nationality']),
    ]);
    expect(response).toEqual({ status: 200, body: { accepted: 5 } });
    const [a, b, c, d] = await Promise.all([
      finalState(customer),
      finalState(`contract:${contract}`),
      finalState(rejectedCustomer),
      finalState(asPerson(verified)),
    ]);
    expect([a, b, c, d].map((s) => [s.status, s.decision, s.context.keyKind])).toEqual([
      ['COMPLETED', 'APPROVED', 'customer'],
      ['COMPLETED', 'APPROVED', 'contract'],
      ['COMPLETED', 'REJECTED', 'customer'],
      ['FAILED', undefined, 'person'],
    ]);
    const open = await stateWhen(asPerson(mismatched), (s) => s.status === 'ACTION_REQUIRED');
    expect(open.timeline[0]).toMatchObject({
      source: 'callback',
      providerStatus: 'mismatches',
      detail: 'fields: Nationality',
    });
  });

  it('a partly bad array: 200 with the accepted count and the rejected records; nothing usable: 400', async () => {
    const customer = randomUUID();
    const response = await send([
      sim.complianceRecord({ customerKey: customer }),
      { status: 100, key: 'f283d8c84766484892cf097db8c5e2b5', modified: '2025-09-03T06:38:08' },
      'not a record',
      { topic: 'identResult', kyc: 'WEBID', personKey: person(), reason: null },
    ]);
    expect(response).toEqual({
      status: 200,
      body: {
        accepted: 1,
        rejected: [
          { path: '[1]', message: 'names neither a customerKey nor a contractKey' },
          { path: '[2]', message: 'must be an object' },
          { path: '[3].status', message: 'is required' },
        ],
      },
    });
    expect(await finalState(customer)).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });

    expect(await send([{ status: 100 }, { topic: 'mismatches' }])).toEqual({
      status: 400,
      body: {
        error: 'invalid_callback',
        message: 'callback does not match the provider schema',
        issues: [
          { path: '[0]', message: 'names neither a customerKey nor a contractKey' },
          { path: '[1].mismatches', message: 'must be an array' },
        ],
      },
    });
    expect(await send({ status: 100, customerKey: customer })).toMatchObject({
      status: 400,
      body: { issues: [{ path: '', message: 'must be a JSON array of records' }] },
    });
  });

  it('a record naming two keys reaches both verifications, but starts only the one it is about', async () => {
    const [customer, contract] = [randomUUID(), randomUUID()];
    await kyc.startVerification({ provider: 'concedus', reference: customer, context: { keyKind: 'customer' } });
    // The contract is the record's subject (started by it); the customer's verification already exists.
    expect(await send([sim.complianceRecord({ contractKey: contract, customerKey: customer })])).toEqual({
      status: 200,
      body: { accepted: 2 },
    });
    expect(await finalState(`contract:${contract}`)).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      context: { keyKind: 'contract' },
    });
    expect(await finalState(customer)).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      context: { keyKind: 'customer' },
    });

    // An ident result names a person and an ident ID: it joins the person's, and starts no ident's.
    const [key, ident] = [person(), identId()];
    sim.script('person', key, { status: 101 });
    await startPerson(key);
    expect(await send([sim.identResult(key, ident)])).toEqual(acceptedOne);
    await stateWhen(asPerson(key), (state) => state.timeline.length > 0);
    await expect(kyc.getVerification('concedus', `ident:${ident}`)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });

  it('CONCEDUS_CONFIRM_VERDICTS: a compliance verdict in a callback waits for the status API, whose verdict wins', async () => {
    const confirming = await startStack(env, {
      KYC_PROVIDERS: 'concedus',
      CONCEDUS_API_BASE_URL: sim.url,
      CONCEDUS_USERNAME: sim.username,
      CONCEDUS_PASSWORD: sim.password,
      CONCEDUS_WEBHOOK_AUTH: sim.webhookAuth,
      CONCEDUS_STATUS_MAP: 'complianceRecord:200=COMPLETED/REJECTED',
      CONCEDUS_CONFIRM_VERDICTS: 'true',
    });
    try {
      const customer = randomUUID();
      // The status API knows the customer as rejected; the callback (static secret only) says accepted.
      sim.script('customer', customer, { status: 200 });
      const reply = await postJson(
        `${confirming.ingressUrl}/webhooks/concedus`,
        [sim.complianceRecord({ customerKey: customer })],
        sim.callbackHeaders,
      );
      expect(reply).toEqual(acceptedOne);
      const final = await new KycClient(confirming.client, confirming.config).waitForVerification(
        'concedus',
        customer,
        { timeoutMs: 25_000 },
      );
      expect(final).toMatchObject({
        status: 'COMPLETED',
        decision: 'REJECTED',
        providerStatus: 'complianceRecord:200',
      });
      expect(entries(final, 'callback')).toEqual([['complianceRecord:100', 'applied']]);
      expect(final.timeline[0]).toMatchObject({ status: 'SUBMITTED' });
    } finally {
      await confirming.stop();
    }
  });

  it('refuses an array with more records than one callback may carry, storing none', async () => {
    const customer = randomUUID();
    const records = Array.from({ length: 501 }, () => sim.complianceRecord({ customerKey: customer }));
    const reply = await send(records);
    expect(reply).toMatchObject({ status: 413, body: { error: 'too_many_records' } });
    await expect(kyc.getVerification('concedus', customer)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });
});
