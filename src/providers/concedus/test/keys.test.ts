/**
 * Which verification a Concedus callback reaches, end to end (dev server, our worker and durable
 * ingress with dead letters, the Concedus simulator): the app says a key's kind at its start and is
 * registered under the reference the callbacks for that key name, and is polled at the matching
 * status endpoint; a callback about a person or an ident, whose verification cannot end on its own,
 * never starts one: it joins the app's, or waits for it as an `unroutable` dead letter.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InvalidRequestError, KycClient, VerificationNotFoundError } from '../../../client';
import { startConcedusSimulator, type ConcedusSimulator } from '../../../providers/concedus/testing/simulator';
import { postJson } from '../../../testing/callback-sender';
import seeds from '../../../../test/fixtures/concedus/seed-examples.json';
import { startDurableStack, type DurableStack } from '../../../../test/support/durable-stack';
import { eventually, startTemporal } from '../../../../test/support/stack';

let env: TestWorkflowEnvironment;
let sim: ConcedusSimulator;
let stack: DurableStack;
let kyc: KycClient;

beforeAll(async () => {
  // Years of retention: the documented examples sent as they stand are not stale here.
  env = await startTemporal({ retentionDays: 3650 });
  sim = await startConcedusSimulator();
  stack = await startDurableStack(env, {
    KYC_PROVIDERS: 'concedus',
    CONCEDUS_API_BASE_URL: sim.url,
    CONCEDUS_USERNAME: sim.username,
    CONCEDUS_PASSWORD: sim.password,
    CONCEDUS_WEBHOOK_AUTH: sim.webhookAuth,
    CONCEDUS_CALLBACK_GRACE: '1s',
    CONCEDUS_POLL_SCHEDULE: '1,1,1,1',
    CONCEDUS_EXPIRES_AFTER: '1h',
  });
  kyc = new KycClient(stack.client, stack.config);
});

afterAll(async () => {
  await stack?.stop();
  await sim?.close();
  await env?.teardown();
});

const send = (body: unknown) => postJson(`${stack.ingressUrl}/webhooks/concedus`, body, sim.callbackHeaders);
const finalState = (reference: string) => kyc.waitForVerification('concedus', reference, { timeoutMs: 30_000 });

describe('contract keys: the app says the kind at its start', () => {
  it("the contract's callback (Concedus's documented example) reaches the verification the app started", async () => {
    const [record] = seeds.legacyContract;
    const started = await kyc.startVerification({
      provider: 'concedus',
      reference: record!.contractKey,
      customerReference: 'app-customer-1',
      context: { keyKind: 'contract' },
    });
    expect(started).toEqual({
      workflowId: `kyc:concedus:contract:${record!.contractKey}`,
      reference: `contract:${record!.contractKey}`,
    });
    expect(await send(seeds.legacyContract)).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await finalState(started.reference);
    // The app's own verification (its customer reference), ended by the callback.
    expect(final).toMatchObject({
      status: 'COMPLETED',
      decision: 'APPROVED',
      customerReference: 'app-customer-1',
      context: { keyKind: 'contract' },
    });
    expect(final.timeline.at(-1)).toMatchObject({ source: 'callback', providerStatus: 'complianceRecord:100' });
  });

  it("without its callback, the contract is asked at the contracts endpoint, never the customers'", async () => {
    const contract = randomUUID();
    sim.script('contract', contract, { status: 100 });
    const { reference } = await kyc.startVerification({
      provider: 'concedus',
      reference: contract,
      context: { keyKind: 'contract' },
    });
    const final = await finalState(reference);
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', providerStatus: 'complianceRecord:100' });
    expect(final.timeline.at(-1)).toMatchObject({ source: 'poll', outcome: 'applied' });
    const asked = sim.requests.filter((request) => request.includes(contract));
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set([`GET /v2/compliance/status/contracts/${contract}`]));
  });

  it('a reference whose prefix disagrees with keyKind is refused before anything starts', async () => {
    const contract = randomUUID();
    await expect(
      kyc.startVerification({
        provider: 'concedus',
        reference: `contract:${contract}`,
        context: { keyKind: 'customer' },
      }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    // The CLI prints the reference it registered.
    const out = await stack.kyc(
      'start',
      '--provider',
      'concedus',
      '--reference',
      contract,
      '--context',
      'keyKind=contract',
      '--json',
    );
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(out.stdout)).toEqual({
      workflowId: `kyc:concedus:contract:${contract}`,
      reference: `contract:${contract}`,
    });
  });
});

describe("ident callbacks: a person's verification is started by the app, never by a callback", () => {
  const [identResult] = seeds.topicIdentResult;
  const personKey = identResult!.personKey;
  const person = `person:${personKey}`;

  it("Concedus's documented identResult with no registered verification starts none: kept as an unroutable letter", async () => {
    expect(await send(seeds.topicIdentResult)).toEqual({ status: 200, body: { accepted: 0, unroutable: 1 } });
    await expect(kyc.getVerification('concedus', person)).rejects.toBeInstanceOf(VerificationNotFoundError);
    const letter = await eventually(async () => {
      const out = await stack.kyc('dead-letters', '--reason', 'unroutable', '--json');
      const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string; events: number }[];
      return rows.find((row) => row.verificationId === `kyc:concedus:${person}`);
    });
    expect(letter).toMatchObject({ provider: 'concedus', reason: 'unroutable', events: 2 });
    // The same callback sent again is the same letter.
    expect(await send(seeds.topicIdentResult)).toEqual({ status: 200, body: { accepted: 0, unroutable: 1 } });

    // The app starts the person's verification: the callback that came first is handed to it.
    sim.script('person', personKey, { status: 101 });
    const started = await kyc.startVerification({
      provider: 'concedus',
      reference: personKey,
      context: { keyKind: 'person' },
    });
    expect(started.reference).toBe(person);
    const state = await eventually(async () => {
      const current = await kyc.getVerification('concedus', person);
      return current.timeline.some((entry) => entry.source === 'callback') ? current : undefined;
    });
    expect(state).toMatchObject({ status: 'SUBMITTED', context: { keyKind: 'person', identId: '315065706' } });
    expect(state.timeline.find((entry) => entry.source === 'callback')).toMatchObject({
      providerStatus: 'identResult:success',
      outcome: 'applied',
    });
    const open = await stack.kyc('dead-letters', '--reason', 'unroutable', '--json');
    expect((JSON.parse(open.stdout) as { id: string }[]).map((row) => row.id)).not.toContain(letter.id);
    // Nor did the ident ID it also names become a verification.
    await expect(kyc.getVerification('concedus', 'ident:315065706')).rejects.toBeInstanceOf(VerificationNotFoundError);
  });

  it("an ident callback for the app's registered person is applied to it", async () => {
    const key = `PERS_${randomUUID()}`;
    sim.script('person', key, { status: 0 });
    const { reference } = await kyc.startVerification({
      provider: 'concedus',
      reference: key,
      context: { keyKind: 'person' },
    });
    expect(await send([sim.identResult(key, '4711', 'failed')])).toEqual({ status: 200, body: { accepted: 1 } });
    const final = await finalState(reference);
    expect(final).toMatchObject({ status: 'FAILED', providerStatus: 'ident:0' });
    expect(final.timeline.find((entry) => entry.source === 'callback')).toMatchObject({
      providerStatus: 'identResult:failed',
    });
    // After its end, another of its callbacks is a late callback, as for any verification.
    expect(await send([sim.mismatches(key, '4711', ['Nationality'])])).toEqual({
      status: 200,
      body: { accepted: 0, late: 1 },
    });
  });

  it('one that waited in the local inbox (Temporal away) becomes an unroutable letter when handed over, not nothing', async () => {
    const key = `PERS_${randomUUID()}`;
    const concedus = stack.config.providers.concedus!;
    const receivedAt = new Date().toISOString();
    // The entry exactly as the ingress writes it when Temporal is unreachable (its parser's event).
    const [record] = concedus.module
      .createCallbackParser(concedus.settings)
      .parse([sim.identResult(key, '4713', 'failed')], receivedAt).joinOnly!;
    await stack.ingress.inbox.append({
      kind: 'event',
      provider: 'concedus',
      event: record![0]!,
      startIfMissing: false,
      joinOnly: true,
      receivedAt,
    });
    stack.ingress.drainer.nudge();
    const letter = await eventually(async () => {
      const out = await stack.kyc('dead-letters', '--reason', 'unroutable', '--json');
      const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string }[];
      return rows.find((row) => row.verificationId === `kyc:concedus:person:${key}`);
    });
    await expect(kyc.getVerification('concedus', `person:${key}`)).rejects.toBeInstanceOf(VerificationNotFoundError);
    // The app's start takes it.
    sim.script('person', key, { status: 101 });
    await kyc.startVerification({ provider: 'concedus', reference: key, context: { keyKind: 'person' } });
    const state = await eventually(async () => {
      const current = await kyc.getVerification('concedus', `person:${key}`);
      return current.timeline.some((entry) => entry.source === 'callback') ? current : undefined;
    });
    expect(state.timeline.find((entry) => entry.source === 'callback')).toMatchObject({
      providerStatus: 'identResult:failed',
    });
    expect(letter.id).toMatch(/^kyc-dead:concedus:/);
  });

  it('a replay of an unroutable letter before the app started the verification starts nothing', async () => {
    const key = `PERS_${randomUUID()}`;
    expect(await send([sim.identRequestCreated(key, '4712')])).toEqual({
      status: 200,
      body: { accepted: 0, unroutable: 1 },
    });
    const letter = await eventually(async () => {
      const out = await stack.kyc('dead-letters', '--reason', 'unroutable', '--json');
      const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string }[];
      return rows.find((row) => row.verificationId === `kyc:concedus:person:${key}`);
    });
    const replay = await stack.kyc('replay', letter.id);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('no verification is registered for it yet');
    await expect(kyc.getVerification('concedus', `person:${key}`)).rejects.toBeInstanceOf(VerificationNotFoundError);
  });
});
