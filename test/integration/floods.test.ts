import { randomUUID } from 'node:crypto';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { sendUntilAcknowledged, type CallbackDelivery } from '../../src/testing/callback-sender';
import type { ProviderStory } from '../../src/testing/kit';
import { loadKit } from '../../src/testing/kits';
import { isTerminal } from '../../src/verification/model';
import { awaitEnd, useDurableStack } from '../support/provider-stack';
import { eventually } from '../support/stack';

/**
 * The first registered provider whose callbacks may start any verification, with its first story
 * whose callbacks, all delivered, end it.
 */
async function floodableProvider(): Promise<{ provider: ProviderId; story: ProviderStory<never> }> {
  for (const provider of PROVIDERS.filter((id) => !providerModule(id).appStartsOnly)) {
    const story = Object.values((await loadKit(provider)).stories).find(
      (each) => each.callbacksDecide && isTerminal(each.truth.status),
    );
    if (story) return { provider, story: story as ProviderStory<never> };
  }
  throw new Error('no registered provider whose callbacks may start a verification has a story they decide');
}

/**
 * A provider replaying a backlog: a burst of callbacks for many verifications and for the same
 * one at once. The ingress answers each with a 2xx or a 503 + Retry-After (never another 5xx),
 * and once the 503s are resent, as providers do, every callback has been applied once.
 */
describe('backlog burst through the ingress (real dev server)', () => {
  let chosen: Awaited<ReturnType<typeof floodableProvider>> | undefined;
  const picked = () => chosen!;
  const setup = useDurableStack(
    async () => {
      chosen = await floodableProvider();
      return chosen.provider;
    },
    // No poll: every verification moves by its callbacks alone.
    { variables: ([provider]) => ({ [providerVariable(provider!, 'CALLBACK_GRACE')]: '1000d' }) },
  );

  afterAll(async () => {
    if (chosen && flooded) {
      await setup.kyc?.cancelVerification(chosen.provider, flooded, 'test_finished').catch(() => undefined);
    }
  });

  const key = randomUUID();
  /** The flooded verification's reference (as a story played for its key names it). */
  let flooded: string | undefined;

  it('answers 2xx or 503 + Retry-After only, and loses nothing once the 503s are resent', async () => {
    const { provider, story } = picked();
    const { kit, sim } = setup.of(provider);
    const played = Array.from({ length: 120 }, () => story.play(sim as never));
    const profile = story.play(sim as never, { key }).start.reference;
    flooded = profile;
    // 60 callbacks on one verification, each with a word of its own, a second apart: one flooded at once.
    const from = Date.now() - 120_000;
    const words = Array.from({ length: 60 }, (_, i) =>
      kit.callbackWithWord(sim, key, `q-${i}`, new Date(from + i * 1000)),
    );
    const deliveries: CallbackDelivery[] = [
      ...played.flatMap(({ callbacks }) => callbacks.map(({ delivery }) => delivery)),
      ...words.map(({ delivery }) => delivery),
    ];
    const url = `${setup.stack.ingressUrl}/webhooks/${provider}`;
    const first: { status: number; retryAfter: string | null }[] = [];
    const pending = [...deliveries];
    const send = async () => {
      for (let delivery = pending.shift(); delivery; delivery = pending.shift()) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...delivery.headers },
          body: JSON.stringify(delivery.body),
        });
        await response.arrayBuffer();
        first.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
        if (response.status === 503) {
          const resent = await sendUntilAcknowledged(url, delivery, { retryDelayMs: 500 });
          expect(resent.acknowledged).toBe(true);
        }
      }
    };
    await Promise.all(Array.from({ length: 60 }, send));

    const statuses = new Map<number, number>();
    for (const { status } of first) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    process.stdout.write(`burst of ${first.length}: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    expect(first).toHaveLength(deliveries.length);
    expect(deliveries.length).toBeGreaterThanOrEqual(180);
    expect([...statuses.keys()].every((status) => status === 200 || status === 202 || status === 503)).toBe(true);
    expect(first.filter((r) => r.status === 503).every((r) => Number(r.retryAfter) > 0)).toBe(true);

    for (const { start } of played) {
      const state = await awaitEnd(setup.kyc, provider, start.reference, 60_000);
      expect({ status: state.status, decision: state.decision }).toEqual({
        status: story.truth.status,
        decision: story.truth.decision,
      });
    }
    const one = await eventually(async () => {
      const state = await setup.kyc.getVerification(provider, profile);
      const counted = state.timeline.filter((e) => e.source === 'callback' && e.outcome !== 'duplicate');
      return counted.length + state.timelineDropped >= 60 ? { state, counted } : undefined;
    }, 60_000);
    // Every callback once: the newest applied, the others recorded as older (stale), none twice.
    expect(one.counted.length + one.state.timelineDropped).toBe(60);
    expect(one.state.status).toBe('ACTION_REQUIRED');
    expect(one.state.timeline.find((e) => e.providerStatus === words[59]!.word)).toBeDefined();
  });
});
