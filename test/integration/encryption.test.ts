/**
 * With KYC_PAYLOAD_KEY set, what Temporal stores is ciphertext: inputs, signals and results in
 * the history carry the codec's encoding, and the app still reads clear state through the client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/simulator';
import { postJson } from '../../src/simulators/callback-sender';
import { kycWorkflowId } from '../../src/workflows/messages';
import { jumioTestEnv } from '../support/jumio-env';
import { startStack, startTemporal, type Stack } from '../support/stack';

let env: TestWorkflowEnvironment;
let sim: JumioSimulator;
let stack: Stack;

beforeAll(async () => {
  env = await startTemporal();
  sim = await startJumioSimulator();
  stack = await startStack(
    env,
    jumioTestEnv(sim, { KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'), JUMIO_CALLBACK_GRACE: '1h' }),
  );
});

afterAll(async () => {
  await stack?.stop();
  await sim?.close();
  await env?.teardown();
});

it('stores only encrypted payloads, and the app reads them in clear', async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const kyc = new KycClient(stack.client, stack.config);
  await kyc.startVerification({
    provider: 'jumio',
    reference: id,
    context: { accountId },
    customerReference: 'customer-secret-77',
  });
  await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
  expect(await kyc.waitForVerification('jumio', id, { timeoutMs: 30_000 })).toMatchObject({
    status: 'COMPLETED',
    customerReference: 'customer-secret-77',
  });

  const { history } = await stack.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: kycWorkflowId('jumio', id) },
  });
  const raw = Buffer.from(JSON.stringify(history)).toString();
  expect(raw).not.toContain('customer-secret-77');
  const payloads = (history?.events ?? []).flatMap((event) => [
    ...(event.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
    ...(event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
    ...(event.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
    ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
  ]);
  expect(payloads.length).toBeGreaterThanOrEqual(4);
  for (const payload of payloads) {
    expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
  }
});
