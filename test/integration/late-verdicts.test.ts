/**
 * A provider's verdict after our own timer closed the verification, end to end: a real dev
 * server, our worker and durable ingress (dead letters), the Jumio simulator, and the app's
 * Standard Webhooks receiver on loopback. The verdict is kept as a `late_verdict` letter, counted,
 * pushed to the app (signature verified), shown by `kyc status`; `kyc reopen` then asks Jumio
 * again and the verification ends with the verdict.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { KycClient } from '../../src/client';
import { LATE_VERDICT_EVENT_TYPE, NOTIFY_EVENT_TYPE } from '../../src/contracts';
import { startJumioSimulator, type JumioSimulator } from '../../src/providers/jumio/testing/simulator';
import { postJson } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { startDurableStack, type DurableStack } from '../support/durable-stack';
import { jumioTestEnv } from '../../src/providers/jumio/test/jumio-env';
import { freePort } from '../support/ports';
import { eventually, startTemporal } from '../support/stack';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

interface Delivery {
  headers: IncomingHttpHeaders;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

let env: TestWorkflowEnvironment;
let sim: JumioSimulator;
let stack: DurableStack;
let receiver: { deliveries: Delivery[]; rejected: number; server: Server };

/** The app's receiver: verifies each request's signature with the Standard Webhooks library (401 if not). */
async function startReceiver(port: number): Promise<typeof receiver> {
  const webhook = new Webhook(secret);
  const state = { deliveries: [] as Delivery[], rejected: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const payload = webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
        state.deliveries.push({ headers: req.headers, payload: payload as Delivery['payload'] });
        res.writeHead(204).end();
      } catch {
        state.rejected += 1;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    ...state,
    server,
    deliveries: state.deliveries,
    get rejected() {
      return state.rejected;
    },
  };
}

beforeAll(async () => {
  env = await startTemporal();
  sim = await startJumioSimulator();
  const port = await freePort();
  receiver = await startReceiver(port);
  stack = await startDurableStack(
    env,
    jumioTestEnv(sim, {
      // No fallback polling: the verification only asks Jumio at its deadline.
      JUMIO_CALLBACK_GRACE: '1h',
      KYC_PROVIDER_RETRY_INITIAL: '200ms',
      KYC_PROVIDER_RETRY_MAX: '1s',
      KYC_NOTIFY_URL: `http://127.0.0.1:${port}/kyc/events`,
      KYC_NOTIFY_SECRET: secret,
      // Encrypted payloads, as in production: the push's input and the reopen's read of the run use the codec.
      KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
    }),
  );
});

afterAll(async () => {
  await stack?.stop();
  await sim?.close();
  await new Promise<void>((resolve) => (receiver?.server ? receiver.server.close(() => resolve()) : resolve()));
  await env?.teardown();
});

type StatusView = VerificationState & {
  lateVerdicts?: { id: string; reason: string; lateVerdict: { inferredEnd: string; verdicts: unknown[] } }[];
};

async function status(reference: string): Promise<StatusView> {
  const out = await stack.kyc('status', 'jumio', reference, '--json');
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(out.stdout) as StatusView;
}

/** A Jumio verification that is still ACQUIRED (in progress) when its 3 s deadline is checked: EXPIRED. */
async function expiredVerification(): Promise<{ id: string; accountId: string }> {
  const id = randomUUID();
  const accountId = randomUUID();
  sim.script(id, { accountId, status: 'ACQUIRED' });
  const started = await stack.kyc(
    'start',
    '--provider',
    'jumio',
    '--reference',
    id,
    '--context',
    `accountId=${accountId}`,
    '--expires-in',
    '3s',
  );
  expect(started.code).toBe(0);
  // Closed, not only EXPIRED: the workflow ends after pushing its verdict to the app.
  const waited = await stack.kyc('wait', 'jumio', id, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const state = JSON.parse(waited.stdout) as VerificationState;
  expect(state.status).toBe('EXPIRED');
  expect(state.providerStatus).toBe('EXPIRY_REACHED');
  return { id, accountId };
}

async function lateVerdictsCounted(): Promise<number> {
  const text = await (await fetch(`${stack.ingressUrl}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith('kyc_late_verdicts_total{provider="jumio"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

it('a verdict after our EXPIRED is kept as late_verdict, counted, pushed, shown; reopen ends it APPROVED', async () => {
  const { id, accountId } = await expiredVerification();
  const verificationId = `kyc:jumio:${id}`;
  const countedBefore = await lateVerdictsCounted();

  // Jumio finishes processing after our deadline: its callback announces the result.
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const response = await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));
  expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });

  // (a) kept durably, with its own reason.
  const listing = await eventually(async () => {
    const out = await stack.kyc('dead-letters', '--reason', 'late_verdict', '--json');
    const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string; lateVerdict?: unknown }[];
    return rows.find((row) => row.verificationId === verificationId);
  });
  expect(listing).toMatchObject({
    reason: 'late_verdict',
    provider: 'jumio',
    events: 1,
    lateVerdict: {
      inferredEnd: 'EXPIRY_REACHED',
      inferredStatus: 'EXPIRED',
      verdicts: [{ providerStatus: 'PROCESSED', retrieve: true }],
    },
  });
  const plainLate = await stack.kyc('dead-letters', '--reason', 'late', '--json');
  expect(
    (JSON.parse(plainLate.stdout) as { verificationId?: string }[]).map((row) => row.verificationId),
  ).not.toContain(verificationId);

  // (b) the alert's counter.
  expect(await lateVerdictsCounted()).toBe(countedBefore + 1);

  // (c) pushed to the app, signed, with its own event type; and shown with the verification.
  const pushed = await eventually(
    async () =>
      receiver.deliveries.find((d) => d.payload.type === LATE_VERDICT_EVENT_TYPE && d.payload.data.reference === id),
    60_000,
    'the late-verdict push',
  );
  expect(receiver.rejected).toBe(0);
  expect(pushed.headers['webhook-id']).toBe(`${listing.id}:late_verdict`);
  expect(pushed.payload.data).toMatchObject({
    provider: 'jumio',
    verificationId,
    deadLetterId: listing.id,
    status: 'EXPIRED',
    note: { inferredEnd: 'EXPIRY_REACHED', verdicts: [{ providerStatus: 'PROCESSED' }] },
  });
  const shown = await status(id);
  expect(shown.status).toBe('EXPIRED');
  expect(shown.lateVerdicts?.map((row) => row.id)).toEqual([listing.id]);
  const human = await stack.kyc('status', 'jumio', id);
  expect(human.stdout).toContain('LATE VERDICT after EXPIRY_REACHED: PROCESSED');
  expect(human.stdout).toContain(`kyc reopen jumio ${id}`);

  // The same callback sent again is the same letter and the same push.
  await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'));

  // (d) the operator reopens: the verification asks Jumio again and ends with its verdict.
  const reopened = await stack.kyc('reopen', 'jumio', id, '--json');
  expect(reopened).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(reopened.stdout)).toMatchObject({
    workflowId: verificationId,
    inferredEnd: 'EXPIRY_REACHED',
    replayedLetters: [listing.id],
    unreplayedLetters: [],
  });
  const waited = await stack.kyc('wait', 'jumio', id, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const final = JSON.parse(waited.stdout) as VerificationState;
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED' });
  // The reopened run rebuilt the story from the same events, then took Jumio's answer.
  expect(final.timeline.some((entry) => entry.providerStatus === 'PROCESSED')).toBe(true);
  expect(
    receiver.deliveries.filter((d) => d.payload.type === LATE_VERDICT_EVENT_TYPE && d.payload.data.reference === id),
  ).toHaveLength(1);
  const expiredPush = receiver.deliveries.find(
    (d) =>
      d.payload.type === NOTIFY_EVENT_TYPE && d.payload.data.reference === id && d.payload.data.status === 'EXPIRED',
  );
  const reopenedPush = await eventually(
    async () =>
      receiver.deliveries.find(
        (d) =>
          d.payload.type === NOTIFY_EVENT_TYPE &&
          d.payload.data.reference === id &&
          d.payload.data.status === 'COMPLETED',
      ),
    60_000,
    'the verdict pushed after the reopen',
  );
  // Its own webhook-id: a receiver that de-duplicates (as Standard Webhooks asks) still gets the verdict.
  expect(expiredPush!.headers['webhook-id']).toBe(`${verificationId}:finished`);
  expect(reopenedPush.headers['webhook-id']).toBe(`${verificationId}:finished:${JSON.parse(reopened.stdout).runId}`);
}, 240_000);

it('kyc wait --json and kyc status --json print one document for a finished verification, late verdicts included', async () => {
  const { id, accountId } = await expiredVerification();
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'REJECTED' } });
  expect(await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'PROCESSED'))).toEqual({
    status: 200,
    body: { accepted: 0, late: 1 },
  });
  // Once the late verdict is listed, every reader sees it.
  await eventually(async () => ((await status(id)).lateVerdicts?.length ? true : undefined));

  const waited = await stack.kyc('wait', 'jumio', id, '--timeout', '60s', '--json');
  expect(waited).toMatchObject({ code: 0, stderr: '' });
  const statusJson = await stack.kyc('status', 'jumio', id, '--json');
  const document = JSON.parse(statusJson.stdout) as StatusView;
  expect(JSON.parse(waited.stdout)).toEqual(document);
  expect(document.status).toBe('EXPIRED');
  expect(document.lateVerdicts?.[0]?.lateVerdict.verdicts[0]).toMatchObject({ providerStatus: 'PROCESSED' });
  // The human output of both carries the alert too.
  expect((await stack.kyc('wait', 'jumio', id, '--timeout', '60s')).stdout).toContain(
    'LATE VERDICT after EXPIRY_REACHED: PROCESSED',
  );

  // The client's two reads agree the same way.
  const kyc = new KycClient(stack.client, stack.config);
  const [got, waitedFor] = [
    await kyc.getVerification('jumio', id),
    await kyc.waitForVerification('jumio', id, { timeoutMs: 60_000 }),
  ];
  expect(waitedFor).toEqual(got);
  expect(waitedFor.lateVerdicts?.map((row) => row.id)).toEqual(document.lateVerdicts?.map((row) => row.id));
}, 180_000);

it('a late word that decides nothing stays a plain late letter; reopen refuses open and reported ends', async () => {
  const { id } = await expiredVerification();
  const response = await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(id, 'ACQUIRED'));
  expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
  const late = await eventually(async () => {
    const out = await stack.kyc('dead-letters', '--reason', 'late', '--json');
    const rows = JSON.parse(out.stdout) as { verificationId?: string; reason: string }[];
    return rows.find((row) => row.verificationId === `kyc:jumio:${id}`);
  });
  expect(late.reason).toBe('late');
  expect((await status(id)).lateVerdicts).toBeUndefined();

  // A verdict Jumio reported is never reopened.
  const approved = randomUUID();
  const accountId = randomUUID();
  sim.script(approved, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  await stack.kyc('start', '--provider', 'jumio', '--reference', approved, '--context', `accountId=${accountId}`);
  expect((await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(approved, 'PROCESSED'))).status).toBe(200);
  expect((await stack.kyc('wait', 'jumio', approved, '--timeout', '60s')).code).toBe(0);
  const refused = await stack.kyc('reopen', 'jumio', approved);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('not by our own timer');

  // An open verification has nothing to reopen.
  const open = randomUUID();
  await stack.kyc('start', '--provider', 'jumio', '--reference', open, '--context', `accountId=${randomUUID()}`);
  const stillOpen = await stack.kyc('reopen', 'jumio', open);
  expect(stillOpen.code).toBe(1);
  expect(stillOpen.stderr).toContain('still open');
}, 180_000);

it('a verdict that waited in the local inbox while Temporal was away is raised when it is handed over', async () => {
  const { id, accountId } = await expiredVerification();
  const countedBefore = await lateVerdictsCounted();
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  // The entry exactly as the ingress writes it when Temporal is unreachable (its parser's event).
  const jumio = stack.config.providers.jumio!;
  const body = sim.callback(id, 'PROCESSED');
  const receivedAt = new Date().toISOString();
  const [event] = jumio.module
    .createCallbackParser(jumio.settings)
    .parse(body, receivedAt, JSON.stringify(body)).events;
  await stack.ingress.inbox.append({
    kind: 'event',
    provider: 'jumio',
    event: event!,
    startIfMissing: true,
    receivedAt,
  });
  stack.ingress.drainer.nudge();

  const letter = await eventually(async () => {
    const out = await stack.kyc('dead-letters', '--reason', 'late_verdict', '--json');
    const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string }[];
    return rows.find((row) => row.verificationId === `kyc:jumio:${id}`);
  });
  expect(await lateVerdictsCounted()).toBe(countedBefore + 1);
  const pushed = await eventually(
    async () =>
      receiver.deliveries.find((d) => d.payload.type === LATE_VERDICT_EVENT_TYPE && d.payload.data.reference === id),
    60_000,
    'the late-verdict push',
  );
  expect(pushed.payload.data.deadLetterId).toBe(letter.id);
}, 180_000);

it('reopen alone makes the verification ask the provider again (no late callback needed)', async () => {
  const { id, accountId } = await expiredVerification();
  // Jumio decided, but its callback never reached us.
  sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'REJECTED' } });
  const before = sim.requests.length;
  const reopened = await stack.kyc('reopen', 'jumio', id, '--json');
  expect(reopened).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(reopened.stdout)).toMatchObject({ replayedLetters: [] });
  const waited = await stack.kyc('wait', 'jumio', id, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const final = JSON.parse(waited.stdout) as VerificationState;
  // The app's expiry had passed: the reopened run confirmed the deadline with Jumio, which answered.
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  expect(final.timeline.find((entry) => entry.status === 'COMPLETED')).toMatchObject({ source: 'poll' });
  expect(sim.requests.slice(before).some((request) => request.includes(id))).toBe(true);
}, 180_000);
