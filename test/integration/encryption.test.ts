/**
 * With KYC_PAYLOAD_KEY set, what Temporal stores is ciphertext: inputs, signals and results in
 * the history carry the codec's encoding, and the app still reads clear state through the client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KycClient } from '../../src/client';
import { postJson } from '../../src/simulators/callback-sender';
import { kycWorkflowId } from '../../src/workflows/messages';
import { useJumioStack } from '../support/jumio-env';

const fixture = useJumioStack({ KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'), JUMIO_CALLBACK_GRACE: '1h' });

it('stores only encrypted payloads, and the app reads them in clear', async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  fixture.sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const kyc = new KycClient(fixture.stack.client, fixture.stack.config);
  await kyc.startVerification({
    provider: 'jumio',
    reference: id,
    context: { accountId },
    customerReference: 'customer-secret-77',
  });
  await postJson(`${fixture.stack.ingressUrl}/webhooks/jumio`, fixture.sim.callback(id, 'PROCESSED'));
  expect(await kyc.waitForVerification('jumio', id, { timeoutMs: 30_000 })).toMatchObject({
    status: 'COMPLETED',
    customerReference: 'customer-secret-77',
  });

  const { history } = await fixture.stack.client.workflowService.getWorkflowExecutionHistory({
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
