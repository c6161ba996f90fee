/**
 * What a caller who passes one provider's authentication can make us do, on the real dev server
 * with the ingress as the mains compose it (local inbox, dead letters): callbacks older than the
 * namespace's retention, and a flood of made-up references. The providers come from their testing
 * kits: one that resends a callback that got no 2xx, and one that never does (its callbacks wait in
 * the inbox), both with callbacks that may start a verification. What only one provider's callbacks
 * carry (another customer's account, say) is tested in its folder.
 */
import { postJson } from '../../src/testing/callback-sender';
import type { PlayedStory, ProviderTestKit } from '../../src/testing/kit';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';
import { namespaceRetentionSeconds } from '../../src/temporal/setup';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import { providerVariable } from '../../src/providers/settings';
import { providerModule, type ProviderId } from '../../src/providers/registry';
import { startDurableStack, type DurableStack } from '../support/durable-stack';
import { startViaCli, useTemporal } from '../support/provider-stack';
import { documentedStatus, pickKit } from '../support/providers';
import { deadLettersFor, workflowExists } from '../support/stack-probes';
import { eventually } from '../support/stack';

const DAY_MS = 86_400_000;

const temporal = useTemporal();

/** Callbacks of its own may start a verification (none is the app's alone to start). */
const callbacksMayStart = (provider: ProviderId) => !providerModule(provider).appStartsOnly;

interface Chosen {
  provider: ProviderId;
  kit: ProviderTestKit;
}
let resending: Chosen;
let inboxed: Chosen;
let sims: RunningSimulators;

beforeAll(async () => {
  resending = await pickKit(
    (_kit, provider) => callbacksMayStart(provider) && providerModule(provider).retriesCallbacks,
    'callbacks that may start a verification, resent when they get no 2xx',
  );
  inboxed = await pickKit(
    (_kit, provider) => callbacksMayStart(provider) && !providerModule(provider).retriesCallbacks,
    'callbacks that may start a verification, never resent',
  );
  sims = await startSimulators([resending.provider, inboxed.provider]);
});

afterAll(async () => {
  await sims?.close();
});

/** The simulators', callbacks given an hour before any poll, and `extra`. */
function variables(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...sims.environment,
    ...Object.fromEntries(
      [resending, inboxed].map(({ provider }) => [providerVariable(provider, 'CALLBACK_GRACE'), '1h']),
    ),
    ...extra,
  };
}

/** The provider's plainest story (its first), played for a verification of its own. */
function play({ provider, kit }: Chosen, options: { times?: Date[] } = {}): PlayedStory {
  const story = Object.values(kit.stories)[0]!;
  return story.play(sims.of(provider).sim, options);
}

/** Posts one played callback to the provider's webhook route, with its headers. */
function post(stack: DurableStack, provider: ProviderId, { delivery }: PlayedStory['callbacks'][number]) {
  return postJson(`${stack.ingressUrl}/webhooks/${provider}`, delivery.body, delivery.headers);
}

/** Provider times two days ago, past the dev server's day of retention. */
const twoDaysAgo = () => Array.from({ length: 10 }, (_, n) => new Date(Date.now() - 2 * DAY_MS + n * 1000));

describe('stale callbacks', () => {
  let stack: DurableStack;
  beforeAll(async () => {
    stack = await startDurableStack(temporal.env, variables());
  });
  afterAll(async () => stack?.stop());

  it("reads the dev server's retention (a day) and starts nothing for a callback older than it", async () => {
    expect(await namespaceRetentionSeconds(temporal.env.client, 'default')).toBe(86_400);
    const { provider } = resending;
    const played = play(resending, { times: twoDaysAgo() });
    const gone = played.start.reference;
    const old = played.callbacks[0]!;
    const response = await post(stack, provider, old);
    expect(response).toEqual({ status: 200, body: { accepted: 0, stale: 1 } });
    expect(await workflowExists(stack, provider, gone)).toBe(false);
    const letters = await eventually(async () => {
      const found = await deadLettersFor(stack, 'stale');
      return found.length ? found : undefined;
    });
    expect(letters).toEqual([expect.objectContaining({ events: 1 })]);
    // Sent again (the provider did not see the 200): the same letter, still nothing started.
    expect(await post(stack, provider, old)).toEqual({ status: 200, body: { accepted: 0, stale: 1 } });
    expect(await deadLettersFor(stack, 'stale')).toHaveLength(1);
    expect(await workflowExists(stack, provider, gone)).toBe(false);
  });

  it('still delivers an old callback to a verification that is open', async () => {
    const { provider } = resending;
    const played = play(resending, { times: twoDaysAgo() });
    const open = played.start.reference;
    // Its first callback, which leaves the verification open.
    const old = played.callbacks[0]!;
    expect(played.callbacks.length).toBeGreaterThanOrEqual(2);
    expect(isTerminal(documentedStatus(provider, old.word))).toBe(false);
    expect((await startViaCli(stack, played)).code).toBe(0);
    const response = await post(stack, provider, old);
    expect(response).toEqual({ status: 200, body: { accepted: 1 } });
    const state = await eventually(async () => {
      const out = await stack.kyc('status', provider, open, '--json');
      const current = JSON.parse(out.stdout) as VerificationState;
      return current.timeline.some((entry) => entry.source === 'callback') ? current : undefined;
    });
    expect(state.timeline.map((entry) => `${entry.source} ${entry.providerStatus} ${entry.outcome}`)).toContain(
      `callback ${old.word} applied`,
    );
    expect(state.status).toBe(documentedStatus(provider, old.word));
    await stack.kyc('cancel', provider, open);
  });
});

describe('a flood of made-up references (KYC_CALLBACK_STARTS_PER_MINUTE=6)', () => {
  let stack: DurableStack;
  beforeAll(async () => {
    stack = await startDurableStack(temporal.env, variables({ KYC_CALLBACK_STARTS_PER_MINUTE: '6' }));
  });
  afterAll(async () => stack?.stop());

  it('starts six a minute; beyond, 503 + Retry-After; an existing verification is never refused', async () => {
    const { provider } = resending;
    const flood = Array.from({ length: 9 }, () => play(resending));
    const answers = [];
    for (const played of flood) answers.push(await post(stack, provider, played.callbacks[0]!));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200, 503, 503, 503]);
    expect(answers[6]!.body).toMatchObject({ error: 'start_limited' });
    const startedOnes = await Promise.all(
      flood.map((played) => workflowExists(stack, provider, played.start.reference)),
    );
    expect(startedOnes).toEqual([true, true, true, true, true, true, false, false, false]);

    // The app's verification, which this ingress has never seen, still takes its callback past the bound.
    const appStarted = play(resending);
    expect((await startViaCli(stack, appStarted)).code).toBe(0);
    const response = await post(stack, provider, appStarted.callbacks[0]!);
    expect(response).toEqual({ status: 200, body: { accepted: 1 } });
    await Promise.all(
      [...flood.slice(0, 6), appStarted].map((played) => stack.kyc('cancel', provider, played.start.reference)),
    );
  });

  it('keeps the callbacks of a provider that never retries in the inbox, and starts them when the bound allows', async () => {
    const { provider } = inboxed;
    const flood = Array.from({ length: 7 }, () => play(inboxed));
    const answers = [];
    for (const played of flood) answers.push(await post(stack, provider, played.callbacks[0]!));
    expect(answers.slice(0, 6).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers[6]).toEqual({ status: 202, body: { accepted: 1, queued: 1 } });
    const last = flood[6]!.start.reference;
    expect(await workflowExists(stack, provider, last)).toBe(false);
    // One start every ten seconds: the drainer hands it over then.
    await eventually(async () => ((await workflowExists(stack, provider, last)) ? true : undefined), 40_000);
    await Promise.all(flood.map((played) => stack.kyc('cancel', provider, played.start.reference)));
  });
});
