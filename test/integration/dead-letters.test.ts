import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAttestrSimulator, type AttestrSimulator } from '../../src/providers/attestr/testing/simulator';
import { startConcedusSimulator, type ConcedusSimulator } from '../../src/providers/concedus/testing/simulator';
import { deadLetterHome } from '../../src/dead-letters/recorder';
import { storeDeadLetter } from '../../src/dead-letters/store';
import { postJson } from '../../src/testing/callback-sender';
import type { VerificationState } from '../../src/verification/model';
import { eventually, startTemporal } from '../support/stack';
import { startDurableStack, type DurableStack } from '../support/durable-stack';

/** Personal data a provider might put in a body: it must never show in a listing or in clear on the server. */
const PII = 'jane.doe@example.com';

describe('dead letters (real dev server, ingress, CLI)', () => {
  let env: TestWorkflowEnvironment;
  let attestr: AttestrSimulator;
  let concedus: ConcedusSimulator;
  let stack: DurableStack;

  beforeAll(async () => {
    env = await startTemporal();
    [attestr, concedus] = await Promise.all([startAttestrSimulator(), startConcedusSimulator()]);
    stack = await startDurableStack(env, {
      KYC_PROVIDERS: 'attestr,concedus',
      // Encrypted payloads: the only setting under which a letter keeps the raw body.
      KYC_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      ATTESTR_API_BASE_URL: attestr.apiBaseUrl,
      ATTESTR_AUTH_TOKEN: attestr.authToken,
      ATTESTR_WEBHOOK_AUTH: `basic:${attestr.webhookToken}`,
      ATTESTR_CALLBACK_GRACE: '1h',
      CONCEDUS_API_BASE_URL: concedus.url,
      CONCEDUS_USERNAME: concedus.username,
      CONCEDUS_PASSWORD: concedus.password,
      CONCEDUS_WEBHOOK_AUTH: concedus.webhookAuth,
      CONCEDUS_CALLBACK_GRACE: '1h',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([attestr?.close(), concedus?.close()]);
    await env?.teardown();
  });

  const listed = async (...filters: string[]) => {
    const out = await stack.kyc('dead-letters', '--json', ...filters);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    return { rows: JSON.parse(out.stdout) as Record<string, unknown>[], text: out.stdout };
  };

  it('keeps a schema-invalid authenticated callback with its reason and paths, and no personal data in the listing', async () => {
    const handshake = `bad ${randomUUID()}`;
    const body = { event: 'flowx.completed', payload: { _id: handshake, email: PII, updated: Date.now() } };
    const response = await postJson(`${stack.ingressUrl}/webhooks/attestr`, body, attestr.webhookHeaders());
    expect(response.status).toBe(400);

    const { rows, text } = await eventually(async () => {
      const found = await listed('--provider', 'attestr', '--reason', 'schema');
      return found.rows.some((row) => (row.paths as string[]).includes('payload._id')) ? found : undefined;
    });
    const letter = rows.find((row) => (row.paths as string[]).includes('payload._id'))!;
    expect(letter).toMatchObject({ provider: 'attestr', reason: 'schema', state: 'open', bodyKept: true });
    expect(String(letter.id)).toMatch(/^kyc-dead:attestr:[0-9a-f]{32}$/);
    expect(text).not.toContain(PII);
    expect(text).not.toContain(handshake);

    // The same refused body sent again is the same letter.
    await postJson(`${stack.ingressUrl}/webhooks/attestr`, body, attestr.webhookHeaders());
    const again = await listed('--provider', 'attestr', '--reason', 'schema');
    expect(again.rows.filter((row) => row.id === letter.id)).toHaveLength(1);

    // On the server, the letter (with its raw body) is ciphertext only.
    const raw = new Client({ connection: env.connection });
    const history = await raw.workflow.getHandle(String(letter.id)).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(input.length).toBe(1);
    expect(Buffer.from(input[0]!.data!).toString('latin1')).not.toContain(PII);

    // Still refused by today's parser: replay says so and keeps the letter.
    const replay = await stack.kyc('replay', String(letter.id));
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('still refused');
    expect(replay.stderr).not.toContain(PII);
  });

  it('a verdict after our timer closed it: 200 {late:1}, kept as a late_verdict letter, shown by kyc status', async () => {
    const handshake = randomUUID();
    attestr.script(handshake, { kind: 'flowx', state: 'unconsumed' });
    await stack.kyc('start', '--provider', 'attestr', '--reference', handshake, '--expires-in', '3s');
    await eventually(async () => {
      const out = await stack.kyc('status', 'attestr', handshake, '--json');
      return (JSON.parse(out.stdout) as VerificationState).status === 'EXPIRED' ? true : undefined;
    }, 60_000);

    const verdict = attestr.flowxCallback(handshake, 'flowx.completed');
    const response = await postJson(`${stack.ingressUrl}/webhooks/attestr`, verdict, attestr.webhookHeaders());
    expect(response).toEqual({ status: 200, body: { accepted: 0, late: 1 } });

    const verificationId = `kyc:attestr:${handshake}`;
    // Our timer inferred EXPIRED; the provider's verdict is a late verdict (README "How verdicts are decided").
    // Visibility is eventually consistent (on PostgreSQL, by its own task queue): listed once indexed.
    const { rows } = await eventually(async () => {
      const found = await listed('--reason', 'late_verdict');
      return found.rows.some((row) => row.verificationId === verificationId) ? found : undefined;
    });
    const letter = rows.find((row) => row.verificationId === verificationId);
    expect(letter).toMatchObject({ provider: 'attestr', reason: 'late_verdict', events: 1, state: 'open' });

    const status = await stack.kyc('status', 'attestr', handshake, '--json');
    const state = JSON.parse(status.stdout) as VerificationState & { lateCallbacks: { id: string }[] };
    expect(state.status).toBe('EXPIRED');
    expect(state.lateCallbacks.map((late) => late.id)).toEqual([letter!.id]);
    const human = await stack.kyc('status', 'attestr', handshake);
    expect(human.stdout).toContain('late callbacks:');
    expect(human.stdout).toContain(String(letter!.id));

    // Replaying it finds the verification still closed: nothing applied, the letter stays.
    const replay = await stack.kyc('replay', String(letter!.id), '--json');
    expect(JSON.parse(replay.stdout)).toMatchObject({ accepted: 0, late: 1, alreadyReplayed: false });
    expect((await listed('--reason', 'late_verdict')).rows.some((row) => row.id === letter!.id)).toBe(true);
  });

  it('a kept body is replayed as the ingress reads it: a __proto__ member names no verification', async () => {
    // A kept background-check event whose `profile` (the reference when present) sits only in an
    // own `__proto__` member: read as plain JSON and then validated, the prototype would supply it.
    const eventId = `e-${randomUUID()}`;
    const body = JSON.stringify({
      event: 'factx.updated',
      payload: { _id: eventId, ['__proto__']: { profile: `forged-${eventId}` } },
    });
    const letter = {
      provider: 'attestr' as const,
      reason: 'schema' as const,
      issues: [{ path: 'payload', message: 'Invalid input' }],
      receivedAt: new Date().toISOString(),
      body,
      bodyBytes: Buffer.byteLength(body),
    };
    const home = deadLetterHome(stack.config, 'schema');
    const id = await storeDeadLetter(stack.client, home, letter, randomBytes(16).toString('hex'));
    expect(await stack.kyc('replay', id)).toMatchObject({ code: 0, stderr: '' });
    // The event is its own ID's, as the ingress would have read it; nothing is named by the injected text.
    const named = await stack.client.workflow.getHandle(`kyc:attestr:${eventId}`).describe();
    expect(named.status.name).toBe('RUNNING');
    await expect(stack.client.workflow.getHandle(`kyc:attestr:forged-${eventId}`).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('an oversize callback is kept and replayed idempotently: replayed twice = once', async () => {
    const customerKey = randomUUID();
    const start = Date.parse('2026-01-01T00:00:00Z');
    // 501 records for one customer (status 110: ident pending), one more than a callback may carry.
    const records = Array.from({ length: 501 }, (_, i) =>
      concedus.complianceRecord({ customerKey }, 110, new Date(start + i * 1000)),
    );
    const response = await postJson(`${stack.ingressUrl}/webhooks/concedus`, records, concedus.callbackHeaders);
    expect(response.status).toBe(413);

    const { rows } = await eventually(async () => {
      const found = await listed('--provider', 'concedus', '--reason', 'oversize');
      return found.rows.length ? found : undefined;
    });
    const id = String(rows[0]!.id);
    // Counted, not read: no record of a body with too many is validated, so the letter holds the
    // body (kept encrypted) and no events; a replay reads the body with today's parser.
    expect(rows[0]).toMatchObject({ reason: 'oversize', bodyKept: true, events: 0 });

    const first = await stack.kyc('replay', id, '--json');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toMatchObject({ accepted: 501, late: 0, alreadyReplayed: false });
    const second = await stack.kyc('replay', id, '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ accepted: 501, alreadyReplayed: true });

    const state = await eventually(async () => {
      const out = await stack.kyc('status', 'concedus', customerKey, '--json');
      const current = JSON.parse(out.stdout) as VerificationState;
      return current.timeline.length + current.timelineDropped >= 501 ? current : undefined;
    }, 60_000);
    const applied = state.timeline.filter((entry) => entry.source === 'callback');
    // Every record once: no entry is a second copy of one already seen.
    expect(applied.length + state.timelineDropped).toBe(501);
    // Closed by the replay: gone from the listing of open letters once visibility has indexed its close.
    await eventually(async () =>
      (await listed('--provider', 'concedus', '--reason', 'oversize')).rows.length === 0 ? true : undefined,
    );
  });
});
