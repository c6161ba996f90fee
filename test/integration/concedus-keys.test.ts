/**
 * Which verification a Concedus callback reaches, end to end (dev server, our worker and durable
 * ingress with dead letters, the Concedus simulator): the app says a key's kind at its start and is
 * registered under the reference the callbacks for that key name, and is polled at the matching
 * status endpoint.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InvalidRequestError, KycClient } from '../../src/client';
import { startConcedusSimulator, type ConcedusSimulator } from '../../src/providers/concedus/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import seeds from '../fixtures/concedus/seed-examples.json';
import { startDurableStack, type DurableStack } from '../support/durable-stack';
import { startTemporal } from '../support/stack';

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
