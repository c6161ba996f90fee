import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import { startAttestrSimulator, type AttestrSimulator } from '../../src/providers/attestr/testing/simulator';
import { sendUntilAcknowledged } from '../../src/testing/callback-sender';
import { isTerminal } from '../../src/verification/model';
import { startDurableStack, type DurableStack } from '../support/durable-stack';
import { eventually, startTemporal } from '../support/stack';

/**
 * A provider replaying a backlog: a burst of callbacks for many verifications and for the same
 * one at once. The ingress answers each with a 2xx or a 503 + Retry-After (never another 5xx),
 * and once the 503s are resent, as providers do, every callback has been applied once.
 */
describe('backlog burst through the ingress (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let sim: AttestrSimulator;
  let stack: DurableStack;

  beforeAll(async () => {
    env = await startTemporal();
    sim = await startAttestrSimulator();
    stack = await startDurableStack(env, {
      KYC_PROVIDERS: 'attestr',
      ATTESTR_API_BASE_URL: sim.apiBaseUrl,
      ATTESTR_AUTH_TOKEN: sim.authToken,
      ATTESTR_WEBHOOK_AUTH: `basic:${sim.webhookToken}`,
      ATTESTR_CALLBACK_GRACE: '1000d',
    });
  });

  afterAll(async () => {
    const kyc = new KycClient(stack.client, stack.config);
    await kyc.cancelVerification('attestr', profile, 'test_finished').catch(() => undefined);
    await stack?.stop();
    await sim?.close();
    await env?.teardown();
  });

  const profile = randomUUID();

  it('answers 2xx or 503 + Retry-After only, and loses nothing once the 503s are resent', async () => {
    const handshakes = Array.from({ length: 120 }, () => randomUUID());
    const bodies = [
      ...handshakes.map((id) => sim.flowxCallback(id, 'flowx.completed')),
      // 60 follow-up queries on one background-check profile: one verification flooded at once.
      ...Array.from({ length: 60 }, (_, i) => sim.factxQueryCallback(profile, `q-${i}`, new Date(Date.now() + i))),
    ];
    const url = `${stack.ingressUrl}/webhooks/attestr`;
    const first: { status: number; retryAfter: string | null }[] = [];
    const pending = [...bodies];
    const send = async () => {
      for (let body = pending.shift(); body; body = pending.shift()) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...sim.webhookHeaders() },
          body: JSON.stringify(body),
        });
        await response.arrayBuffer();
        first.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
        if (response.status === 503) {
          const resent = await sendUntilAcknowledged(
            url,
            { body, headers: sim.webhookHeaders() },
            { retryDelayMs: 500 },
          );
          expect(resent.acknowledged).toBe(true);
        }
      }
    };
    await Promise.all(Array.from({ length: 60 }, send));

    const statuses = new Map<number, number>();
    for (const { status } of first) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    process.stdout.write(`burst of ${first.length}: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    expect(first).toHaveLength(180);
    expect([...statuses.keys()].every((status) => status === 200 || status === 202 || status === 503)).toBe(true);
    expect(first.filter((r) => r.status === 503).every((r) => Number(r.retryAfter) > 0)).toBe(true);

    const kyc = new KycClient(stack.client, stack.config);
    for (const id of handshakes) {
      await eventually(
        async () => {
          const state = await kyc.getVerification('attestr', id);
          return isTerminal(state.status) ? state : undefined;
        },
        60_000,
        `handshake ${id}`,
      ).then((state) => expect(state.status).toBe('COMPLETED'));
    }
    const flooded = await eventually(async () => {
      const state = await kyc.getVerification('attestr', profile);
      const counted = state.timeline.filter((e) => e.source === 'callback' && e.outcome !== 'duplicate');
      return counted.length + state.timelineDropped >= 60 ? { state, counted } : undefined;
    }, 60_000);
    // Every query once: the newest applied, the others recorded as older (stale), none twice.
    expect(flooded.counted.length + flooded.state.timelineDropped).toBe(60);
    expect(flooded.state.status).toBe('ACTION_REQUIRED');
    expect(flooded.state.timeline.find((e) => e.detail === 'query:q-59')).toBeDefined();
  });
});
