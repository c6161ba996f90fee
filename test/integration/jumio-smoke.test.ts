import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/simulator';
import { postJson } from '../../src/simulators/callback-sender';
import { startStack, startTemporal, type Stack } from '../support/stack';

describe('jumio smoke', () => {
  let env: TestWorkflowEnvironment;
  let sim: JumioSimulator;
  let stack: Stack;
  let kyc: KycClient;

  beforeAll(async () => {
    env = await startTemporal();
    sim = await startJumioSimulator();
    stack = await startStack(env, {
      JUMIO_API_BASE_URL: sim.url,
      JUMIO_AUTH_URL: sim.authUrl,
      JUMIO_CLIENT_ID: sim.clientId,
      JUMIO_CLIENT_SECRET: sim.clientSecret,
      JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
      JUMIO_CALLBACK_GRACE: '3s',
      JUMIO_POLL_SCHEDULE: '1,1,1',
      JUMIO_EXPIRES_AFTER: '1h',
    });
    kyc = new KycClient(stack.client, stack.config);
  });

  afterAll(async () => {
    await stack?.stop();
    await sim?.close();
    await env?.teardown();
  });

  it('ends APPROVED after PROCESSED', async () => {
    const id = randomUUID();
    const accountId = randomUUID();
    sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
    await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId } });
    const r1 = await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'ACQUIRED'));
    const r2 = await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
    expect(r1).toEqual({ status: 200, body: { accepted: 1 } });
    expect(r2.status).toBe(200);
    const final = await kyc.waitForVerification('jumio', id, { timeoutMs: 30_000 });
    expect(final.status).toBe('COMPLETED');
    expect(final.decision).toBe('APPROVED');
  });
});
