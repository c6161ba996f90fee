/**
 * The demo's verifications: every registered provider's simulator on loopback, and per provider a
 * handful of verifications from its testing kit's stories whose callbacks misbehave the way real
 * ones do: a duplicate, a reordered pair, a final callback that never comes, a user who never
 * finishes. Each knows its expected outcome (the story's truth), so the demo (and its smoke test)
 * can tell that the orchestrator got it right.
 */
import { randomBytes } from 'node:crypto';
import type { KycClient } from '../../src/client';
import type { ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { sendCallbacks, type DeliveryPlan } from '../../src/testing/callback-sender';
import { callbackTimes, type PlayedStory, type ProviderStory } from '../../src/testing/kit';
import type { RunningSimulator } from '../../src/testing/simulator-http';
import { startSimulators, type RunningProvider } from '../../src/testing/simulators';
import type { Decision, Status } from '../../src/verification/model';

export interface Scenario {
  provider: ProviderId;
  reference: string;
  /** What happens to its callbacks, in a word or two. */
  story: string;
  expected: { status: Status; decision?: Decision };
  /** Starts the verification and sends its callbacks (or not). */
  run(kyc: KycClient, ingressUrl: string): Promise<void>;
}

export interface DemoSimulators {
  /** The variables that point every provider at its simulator, with the demo's short timings. */
  env: Record<string, string>;
  scenarios: Scenario[];
  close(): Promise<void>;
}

/** Short enough for a demo, long enough for a loaded laptop: polling 2 s after the last callback. */
const TIMINGS = { CALLBACK_GRACE: '2s', POLL_SCHEDULE: '1,1,2,2,3', EXPIRES_AFTER: '1h' };
/** The lifetime of the verifications that are left to expire. */
const EXPIRES_IN_MS = 12_000;

/** The ways real callbacks misbehave, each played on one of the provider's stories. */
interface Misbehaviour {
  name: string;
  /** Whether the story can show it (a reorder needs two callbacks; a lost final one an API that knows). */
  fits(story: ProviderStory<RunningSimulator>, callbacks: number): boolean;
  plan(callbacks: number): DeliveryPlan;
}

const MISBEHAVIOURS: Misbehaviour[] = [
  { name: 'in-order', fits: () => true, plan: () => ({}) },
  { name: 'duplicate', fits: (_story, callbacks) => callbacks > 0, plan: (n) => ({ duplicate: [n - 1] }) },
  {
    name: 'reordered',
    fits: (_story, callbacks) => callbacks > 1,
    plan: (n) => ({ order: Array.from({ length: n }, (_, i) => n - 1 - i) }),
  },
  // The final callback never comes: the fallback polls find the verdict.
  {
    name: 'final-dropped',
    fits: (story, callbacks) => story.apiKnowsFromStart && callbacks > 0,
    plan: (n) => ({ drop: [n - 1] }),
  },
];

export async function startDemoSimulators(): Promise<DemoSimulators> {
  const sims = await startSimulators();
  const env: Record<string, string> = {
    ...sims.environment,
    KYC_PROVIDER_RETRY_INITIAL: '500ms',
    KYC_PROVIDER_RETRY_MAX: '2s',
  };
  const scenarios: Scenario[] = [];
  for (const running of sims.providers) {
    for (const [name, value] of Object.entries(TIMINGS)) env[providerVariable(running.provider, name)] = value;
    scenarios.push(...providerScenarios(running));
  }
  return { env, scenarios, close: () => sims.close() };
}

/**
 * One verification per misbehaviour the provider's stories can show, each on the next story (so
 * the verdicts vary), and one that expires.
 */
function providerScenarios({ provider, kit, sim }: RunningProvider): Scenario[] {
  const stories = Object.values(kit.stories);
  const scenarios: Scenario[] = [];
  MISBEHAVIOURS.forEach((misbehaviour, index) => {
    for (let offset = 0; offset < stories.length; offset++) {
      const story = stories[(index + offset) % stories.length]!;
      const played = story.play(sim, { key: reference(provider, misbehaviour.name), times: times(8) });
      if (!misbehaviour.fits(story, played.callbacks.length)) continue;
      scenarios.push(scenario(played, misbehaviour.name, story.truth, misbehaviour.plan(played.callbacks.length)));
      return;
    }
  });
  // The user never finishes: nothing decides before the short deadline the app gives.
  const played = kit.neverFinishes.play(sim, { key: reference(provider, 'expires'), times: times(8) });
  scenarios.push(scenario(played, 'expires', kit.neverFinishes.truth, {}, EXPIRES_IN_MS));
  return scenarios;
}

function scenario(
  played: PlayedStory,
  story: string,
  expected: Scenario['expected'],
  plan: DeliveryPlan,
  expiresInMs?: number,
): Scenario {
  return {
    provider: played.start.provider,
    reference: played.start.reference,
    story,
    expected,
    run: async (kyc, ingressUrl) => {
      await kyc.startVerification({
        ...played.start,
        ...(expiresInMs ? { expiresAt: new Date(Date.now() + expiresInMs) } : {}),
      });
      const url = `${ingressUrl}/webhooks/${played.start.provider}`;
      const results = await sendCallbacks(
        url,
        played.callbacks.map(({ delivery }) => delivery),
        plan,
      );
      const refused = results.find((result) => result.status >= 300);
      if (refused) throw new Error(`the ingress answered ${refused.status} to a demo callback`);
    },
  };
}

/** Readable, unique per run (a rerun on the same data file must not meet its earlier verifications). */
function reference(provider: string, story: string): string {
  return `demo-${provider}-${story}-${randomBytes(4).toString('hex')}`;
}

/** Provider timestamps a second apart, oldest first, ending now, so "reordered" is unambiguous. */
function times(count: number): Date[] {
  return callbackTimes(count).map((at) => new Date(at.getTime() + 60_000 - count * 1000));
}
