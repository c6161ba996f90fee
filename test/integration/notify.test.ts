/**
 * The verdict is pushed, end to end: a real dev server, our worker and ingress, the Jumio
 * simulator, and the app's receiver on loopback, which is down when the verification ends and
 * comes up later. The receiver verifies every request with the Standard Webhooks library.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { KycClient } from '../../src/client';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import { kycWorkflowId, NOTIFY_EVENT_TYPE, type NotifyPayload } from '../../src/contracts';
import { jumioTestEnv } from '../support/jumio-env';
import { freePort } from '../support/ports';
import { eventually, startStack, startTemporal, type Stack } from '../support/stack';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
let env: TestWorkflowEnvironment;
let sim: JumioSimulator;
let stack: Stack;
let receiverPort: number;

beforeAll(async () => {
  env = await startTemporal();
  sim = await startJumioSimulator();
  receiverPort = await freePort();
  stack = await startStack(
    env,
    jumioTestEnv(sim, {
      JUMIO_CALLBACK_GRACE: '1h',
      KYC_NOTIFY_URL: `http://127.0.0.1:${receiverPort}/kyc/verdicts`,
      KYC_NOTIFY_SECRET: secret,
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
  await sim?.close();
  await env?.teardown();
});

interface Delivery {
  headers: IncomingHttpHeaders;
  payload: NotifyPayload;
}

/** The app's receiver: verifies each request's signature (401 if it does not verify), then answers 204. */
async function startReceiver(
  port: number,
): Promise<{ deliveries: Delivery[]; rejected: number; close(): Promise<void> }> {
  const receiver = { deliveries: [] as Delivery[], rejected: 0 };
  const webhook = new Webhook(secret);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const payload = webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
        receiver.deliveries.push({ headers: req.headers, payload: payload as NotifyPayload });
        res.writeHead(204).end();
      } catch {
        receiver.rejected += 1;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return Object.assign(receiver, { close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

it('pushes the verdict, signed, once the app is reachable; the timeline records it', async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const kyc = new KycClient(stack.client, stack.config);
  await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId }, customerReference: 'c-9' });
  expect((await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'))).status).toBe(200);

  // The verdict is in, but the app's receiver is down: the notification is being retried.
  const handle = stack.client.workflow.getHandle(kycWorkflowId('jumio', id));
  const retrying = await eventually(
    async () => {
      const pendingActivities = (await handle.describe()).raw.pendingActivities ?? [];
      const notify = pendingActivities.find((activity) => activity.activityType?.name === 'notifyApp');
      return notify && (notify.attempt ?? 0) >= 2 ? notify : undefined;
    },
    40_000,
    'a failed notification attempt',
  );
  // Failure texts are encoded (they may carry data): read the last failure as the client does.
  const lastFailure = await decodeOptionalFailureToOptionalError(
    stack.client.options.loadedDataConverter,
    retrying.lastFailure,
  );
  expect(lastFailure?.message).toContain('ECONNREFUSED');
  expect((await kyc.getVerification('jumio', id)).status).toBe('COMPLETED');

  const receiver = await startReceiver(receiverPort);
  try {
    const final = await kyc.waitForVerification('jumio', id, { timeoutMs: 60_000 });
    expect(receiver.rejected).toBe(0);
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery!.headers['webhook-id']).toBe(`kyc:jumio:${id}:finished`);
    expect(delivery!.payload).toMatchObject({
      type: NOTIFY_EVENT_TYPE,
      data: { provider: 'jumio', reference: id, status: 'COMPLETED', decision: 'APPROVED', customerReference: 'c-9' },
    });
    expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
    expect(final.timeline.at(-1)).toMatchObject({ source: 'app', providerStatus: 'APP_NOTIFIED', outcome: 'recorded' });
    expect(final.timeline.at(-1)!.detail).toBeUndefined();
  } finally {
    await receiver.close();
  }
}, 120_000);
