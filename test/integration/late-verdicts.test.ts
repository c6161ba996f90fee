/**
 * A provider's verdict after our own timer closed the verification, end to end: a real dev
 * server, our worker and durable ingress (dead letters), a provider's simulator (the first
 * registered one with a story whose API holds the verdict from the start and whose callbacks
 * announce it), and the app's Standard Webhooks receiver on loopback. A user who never finishes
 * lets our deadline end the verification; the provider then decides. The verdict is kept as a
 * `late_verdict` letter, counted, pushed to the app (signature verified), shown by `kyc status`;
 * `kyc reopen` then asks the provider again and the verification ends with the verdict.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { LATE_VERDICT_EVENT_TYPE, NOTIFY_EVENT_TYPE, kycWorkflowId } from '../../src/contracts';
import { providerVariable } from '../../src/providers/settings';
import { postJson, type CallbackDelivery } from '../../src/testing/callback-sender';
import type { PlayedStory, ProviderStory } from '../../src/testing/kit';
import type { RunningSimulator } from '../../src/testing/simulator-http';
import type { ProviderId } from '../../src/providers/registry';
import type { VerificationState } from '../../src/verification/model';
import { otherCallback } from '../support/kit-callbacks';
import { freePort } from '../support/ports';
import { providerQuestions } from '../support/provider-questions';
import { startViaCli, useDurableStack } from '../support/provider-stack';
import { providerWith } from '../support/providers';
import { eventually } from '../support/stack';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

interface Delivery {
  headers: IncomingHttpHeaders;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

let receiver: { deliveries: Delivery[]; rejected: number; server: Server };
let receiverPort: number;

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

/** The provider decides after our deadline: its API holds the verdict, its callbacks announce it. */
const chosen = providerWith(
  (story) => story.apiKnowsFromStart && story.announced,
  'a story whose API knows the verdict from the start and whose callbacks announce it',
);

beforeAll(async () => {
  receiverPort = await freePort();
  receiver = await startReceiver(receiverPort);
});

const setup = useDurableStack(() => chosen.choose(), {
  variables: ([provider]) => ({
    // No fallback polling: the verification only asks the provider at its deadline.
    [providerVariable(provider!, 'CALLBACK_GRACE')]: '1h',
    KYC_PROVIDER_RETRY_INITIAL: '200ms',
    KYC_PROVIDER_RETRY_MAX: '1s',
    KYC_NOTIFY_URL: `http://127.0.0.1:${receiverPort}/kyc/events`,
    KYC_NOTIFY_SECRET: secret,
    // Encrypted payloads, as in production: the push's input and the reopen's read of the run use the codec.
    KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
  }),
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver?.server ? receiver.server.close(() => resolve()) : resolve()));
});

/** The chosen provider, its simulator, its never-finishing user, and its stories that fit (the chosen one first). */
function picked(): {
  provider: ProviderId;
  sim: RunningSimulator;
  stories: ProviderStory<RunningSimulator>[];
  neverFinishes: ProviderStory<RunningSimulator>;
} {
  const { provider, kit, story } = chosen.picked;
  const others = Object.entries(kit.stories)
    .filter(([name, each]) => name !== story && each.apiKnowsFromStart && each.announced)
    .map(([, each]) => each);
  return {
    provider,
    sim: setup.of(provider).sim,
    stories: [kit.stories[story]!, ...others],
    neverFinishes: kit.neverFinishes,
  };
}

/** Callback times from now on, a second apart: the provider speaks after our deadline. */
function fromNow(): Date[] {
  return Array.from({ length: 10 }, (_, n) => new Date(Date.now() + n * 1000));
}

/** The story played for the verification `reference`: the provider's API now holds its verdict. */
function decides(story: ProviderStory<RunningSimulator>, reference: string): PlayedStory {
  return story.play(picked().sim, { key: reference, times: fromNow() });
}

/** The played story's last callback: the one that announces the verdict. */
function verdictCallback(played: PlayedStory): PlayedStory['callbacks'][number] {
  return played.callbacks.at(-1)!;
}

function post(delivery: CallbackDelivery): Promise<{ status: number; body: unknown }> {
  return postJson(`${setup.stack.ingressUrl}/webhooks/${picked().provider}`, delivery.body, delivery.headers);
}

function kyc(...argv: string[]): ReturnType<typeof setup.stack.kyc> {
  return setup.stack.kyc(...argv);
}

type StatusView = VerificationState & {
  lateVerdicts?: { id: string; reason: string; lateVerdict: { inferredEnd: string; verdicts: unknown[] } }[];
};

async function status(reference: string): Promise<StatusView> {
  const out = await kyc('status', picked().provider, reference, '--json');
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(out.stdout) as StatusView;
}

/** A verification whose user never finishes, still open when its 3 s deadline is checked: EXPIRED. */
async function expiredVerification(): Promise<PlayedStory> {
  const { provider, sim, neverFinishes } = picked();
  const played = neverFinishes.play(sim);
  const started = await startViaCli(setup.stack, played, '--expires-in', '3s');
  expect(started.code).toBe(0);
  // Closed, not only EXPIRED: the workflow ends after pushing its verdict to the app.
  const waited = await kyc('wait', provider, played.start.reference, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const state = JSON.parse(waited.stdout) as VerificationState;
  expect(state.status).toBe('EXPIRED');
  expect(state.providerStatus).toBe('EXPIRY_REACHED');
  // Our timer ended it only after the provider, asked at the deadline, still had no verdict.
  const { answered } = await providerQuestions(setup.stack.client, kycWorkflowId(provider, played.start.reference));
  expect(answered).toContain('confirmDeadline');
  return played;
}

async function lateVerdictsCounted(): Promise<number> {
  const text = await (await fetch(`${setup.stack.ingressUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((row) => row.startsWith(`kyc_late_verdicts_total{provider="${picked().provider}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

it('a verdict after our EXPIRED is kept as late_verdict, counted, pushed, shown; reopen ends it with the verdict', async () => {
  const { provider, stories } = picked();
  const story = stories[0]!;
  const id = (await expiredVerification()).start.reference;
  const verificationId = kycWorkflowId(provider, id);
  const countedBefore = await lateVerdictsCounted();

  // The provider finishes processing after our deadline: its callback announces the result.
  const verdict = verdictCallback(decides(story, id));
  const response = await post(verdict.delivery);
  expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });

  // (a) kept durably, with its own reason.
  const listing = await eventually(async () => {
    const out = await kyc('dead-letters', '--reason', 'late_verdict', '--json');
    const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string; lateVerdict?: unknown }[];
    return rows.find((row) => row.verificationId === verificationId);
  });
  expect(listing).toMatchObject({
    reason: 'late_verdict',
    provider,
    events: 1,
    lateVerdict: {
      inferredEnd: 'EXPIRY_REACHED',
      inferredStatus: 'EXPIRED',
      verdicts: [{ providerStatus: verdict.word, retrieve: true }],
    },
  });
  const plainLate = await kyc('dead-letters', '--reason', 'late', '--json');
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
    provider,
    verificationId,
    deadLetterId: listing.id,
    status: 'EXPIRED',
    note: { inferredEnd: 'EXPIRY_REACHED', verdicts: [{ providerStatus: verdict.word }] },
  });
  const shown = await status(id);
  expect(shown.status).toBe('EXPIRED');
  expect(shown.lateVerdicts?.map((row) => row.id)).toEqual([listing.id]);
  const human = await kyc('status', provider, id);
  expect(human.stdout).toContain(`LATE VERDICT after EXPIRY_REACHED: ${verdict.word}`);
  expect(human.stdout).toContain(`kyc reopen ${provider} ${id}`);

  // The same callback sent again is the same letter and the same push.
  await post(verdict.delivery);

  // (d) the operator reopens: the verification asks the provider again and ends with its verdict.
  const reopened = await kyc('reopen', provider, id, '--json');
  expect(reopened).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(reopened.stdout)).toMatchObject({
    workflowId: verificationId,
    inferredEnd: 'EXPIRY_REACHED',
    replayedLetters: [listing.id],
    unreplayedLetters: [],
  });
  const waited = await kyc('wait', provider, id, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const final = JSON.parse(waited.stdout) as VerificationState;
  expect(final).toMatchObject(story.truth);
  expect(final.status).toBe('COMPLETED');
  // The reopened run rebuilt the story from the same events, then took the provider's answer.
  expect(final.timeline.some((entry) => entry.providerStatus === verdict.word)).toBe(true);
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
  const { provider, stories } = picked();
  const id = (await expiredVerification()).start.reference;
  const verdict = verdictCallback(decides(stories.at(1) ?? stories[0]!, id));
  expect(await post(verdict.delivery)).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
  // Once the late verdict is listed, every reader sees it.
  await eventually(async () => ((await status(id)).lateVerdicts?.length ? true : undefined));

  const waited = await kyc('wait', provider, id, '--timeout', '60s', '--json');
  expect(waited).toMatchObject({ code: 0, stderr: '' });
  const statusJson = await kyc('status', provider, id, '--json');
  const document = JSON.parse(statusJson.stdout) as StatusView;
  expect(JSON.parse(waited.stdout)).toEqual(document);
  expect(document.status).toBe('EXPIRED');
  expect(document.lateVerdicts?.[0]?.lateVerdict.verdicts[0]).toMatchObject({ providerStatus: verdict.word });
  // The human output of both carries the alert too.
  expect((await kyc('wait', provider, id, '--timeout', '60s')).stdout).toContain(
    `LATE VERDICT after EXPIRY_REACHED: ${verdict.word}`,
  );

  // The client's two reads agree the same way.
  const [got, waitedFor] = [
    await setup.kyc.getVerification(provider, id),
    await setup.kyc.waitForVerification(provider, id, { timeoutMs: 60_000 }),
  ];
  expect(waitedFor).toEqual(got);
  expect(waitedFor.lateVerdicts?.map((row) => row.id)).toEqual(document.lateVerdicts?.map((row) => row.id));
}, 180_000);

it('a late word that decides nothing stays a plain late letter; reopen refuses open and reported ends', async () => {
  const { provider, sim, stories, neverFinishes } = picked();
  const story = stories[0]!;
  const id = (await expiredVerification()).start.reference;
  // An earlier word of the story, one that only says the user is on their way.
  const played = decides(story, id);
  const progress = otherCallback({ callbacks: played.callbacks, workflowId: kycWorkflowId(provider, id) });
  expect(progress).toBeDefined();
  const response = await post(progress.delivery);
  expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });
  const late = await eventually(async () => {
    const out = await kyc('dead-letters', '--reason', 'late', '--json');
    const rows = JSON.parse(out.stdout) as { verificationId?: string; reason: string }[];
    return rows.find((row) => row.verificationId === kycWorkflowId(provider, id));
  });
  expect(late.reason).toBe('late');
  expect((await status(id)).lateVerdicts).toBeUndefined();

  // A verdict the provider reported is never reopened.
  const approved = story.play(sim);
  await startViaCli(setup.stack, approved);
  expect((await post(verdictCallback(approved).delivery)).status).toBe(200);
  expect((await kyc('wait', provider, approved.start.reference, '--timeout', '60s')).code).toBe(0);
  const refused = await kyc('reopen', provider, approved.start.reference);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('not by our own timer');

  // An open verification has nothing to reopen.
  const open = neverFinishes.play(sim);
  await startViaCli(setup.stack, open);
  const stillOpen = await kyc('reopen', provider, open.start.reference);
  expect(stillOpen.code).toBe(1);
  expect(stillOpen.stderr).toContain('still open');
}, 180_000);

it('a verdict that waited in the local inbox while Temporal was away is raised when it is handed over', async () => {
  const { provider, stories } = picked();
  const { stack } = setup;
  const id = (await expiredVerification()).start.reference;
  const countedBefore = await lateVerdictsCounted();
  const { delivery } = verdictCallback(decides(stories[0]!, id));
  // The entry exactly as the ingress writes it when Temporal is unreachable (its parser's event).
  const running = stack.config.providers[provider]!;
  const raw = typeof delivery.body === 'string' ? delivery.body : JSON.stringify(delivery.body);
  const receivedAt = new Date().toISOString();
  const [event] = running.module
    .createCallbackParser(running.settings)
    .parse(JSON.parse(raw) as unknown, receivedAt, raw).events;
  await stack.ingress.inbox.append({
    kind: 'event',
    provider,
    event: event!,
    startIfMissing: true,
    receivedAt,
  });
  stack.ingress.drainer.nudge();

  const letter = await eventually(async () => {
    const out = await kyc('dead-letters', '--reason', 'late_verdict', '--json');
    const rows = JSON.parse(out.stdout) as { id: string; verificationId?: string }[];
    return rows.find((row) => row.verificationId === kycWorkflowId(provider, id));
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
  const { provider, stories } = picked();
  const id = (await expiredVerification()).start.reference;
  // The provider decided, but its callback never reached us.
  const story = stories.at(1) ?? stories[0]!;
  decides(story, id);
  const reopened = await kyc('reopen', provider, id, '--json');
  expect(reopened).toMatchObject({ code: 0, stderr: '' });
  const outcome = JSON.parse(reopened.stdout) as { replayedLetters: string[]; runId: string };
  expect(outcome).toMatchObject({ replayedLetters: [] });
  const waited = await kyc('wait', provider, id, '--timeout', '60s', '--json');
  expect(waited.code).toBe(0);
  const final = JSON.parse(waited.stdout) as VerificationState;
  // The app's expiry had passed: the reopened run confirmed the deadline with the provider, which answered.
  expect(final).toMatchObject(story.truth);
  expect(final.status).toBe('COMPLETED');
  expect(final.timeline.find((entry) => entry.status === 'COMPLETED')).toMatchObject({ source: 'poll' });
  expect(
    (await providerQuestions(setup.stack.client, kycWorkflowId(provider, id), outcome.runId)).answered,
  ).not.toEqual([]);
}, 180_000);
