import { randomUUID } from 'node:crypto';
import { KycClient } from '../../../client';
import { providerVariable } from '../../settings';
import { sendUntilAcknowledged } from '../../../testing/callback-sender';
import { useDurableStack } from '../../../../test/support/provider-stack';
import { eventually } from '../../../../test/support/stack';
import type { AttestrSimulator } from '../testing/simulator';

/**
 * Attestr replaying a backlog of factx queries on one background-check profile, all at once: the
 * ingress answers each with a 2xx or a 503 + Retry-After (never another 5xx), and once the 503s are
 * resent every query has been applied once. Every provider's burst over many verifications:
 * test/integration/floods.test.ts.
 */
describe('attestr query burst on one profile (real dev server)', () => {
  const setup = useDurableStack('attestr', {
    variables: { ATTESTR_CLIENT_SECRET: '', [providerVariable('attestr', 'CALLBACK_GRACE')]: '1000d' },
  });
  const sim = () => setup.of<AttestrSimulator>('attestr').sim;

  afterAll(async () => {
    await setup.kyc?.cancelVerification('attestr', profile, 'test_finished').catch(() => undefined);
  });

  const profile = randomUUID();

  it('answers 2xx or 503 + Retry-After only, and applies each query once, the newest last', async () => {
    // 60 follow-up queries on one background-check profile: one verification flooded at once.
    const bodies = Array.from({ length: 60 }, (_, i) =>
      sim().factxQueryCallback(profile, `q-${i}`, new Date(Date.now() + i)),
    );
    const url = `${setup.stack.ingressUrl}/webhooks/attestr`;
    const first: { status: number; retryAfter: string | null }[] = [];
    const pending = [...bodies];
    const send = async () => {
      for (let body = pending.shift(); body; body = pending.shift()) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...sim().webhookHeaders() },
          body: JSON.stringify(body),
        });
        await response.arrayBuffer();
        first.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
        if (response.status === 503) {
          const resent = await sendUntilAcknowledged(
            url,
            { body, headers: sim().webhookHeaders() },
            { retryDelayMs: 500 },
          );
          expect(resent.acknowledged).toBe(true);
        }
      }
    };
    await Promise.all(Array.from({ length: 60 }, send));

    expect(first).toHaveLength(60);
    expect(first.every(({ status }) => status === 200 || status === 202 || status === 503)).toBe(true);
    expect(first.filter((r) => r.status === 503).every((r) => Number(r.retryAfter) > 0)).toBe(true);

    const kyc = new KycClient(setup.stack.client, setup.stack.config);
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
