/**
 * `kyc-orchestrator/testing`: the provider simulators, for an app's own tests. Start a provider's
 * simulator on loopback, point the orchestrator at it (`environment`), set its truth and play one of
 * its stories (its API answers with the story's verdict), and send the provider's callbacks as
 * providers do: dropped, duplicated, reordered, delayed, or resent until acknowledged.
 *
 * ```ts
 * const simulator = await startSimulator(provider); // a registered provider's ID
 * // start the orchestrator with simulator.environment
 * const played = simulator.play(Object.keys(simulator.stories)[0]);
 * await kyc.startVerification(played.start);
 * await simulator.send(played, ingressUrl, { duplicate: [0] });
 * await simulator.close();
 * ```
 */
import { PROVIDERS, isProviderId, type ProviderId } from '../providers/registry';
import { sendCallbacks, type DeliveryPlan, type DeliveryResult } from './callback-sender';
import type { PlayOptions, PlayedStory, StoryTruth } from './kit';
import { loadKit } from './kits';

export {
  postJson,
  sendCallbacks,
  sendUntilAcknowledged,
  type CallbackDelivery,
  type DeliveryPlan,
  type DeliveryResult,
  type ResendResult,
} from './callback-sender';
export type { PlayOptions, PlayedStory, ProviderStory, ProviderTestKit, StoryTruth } from './kit';
export type { Faults } from './simulator-http';
export { startSimulators, type RunningProvider, type RunningSimulators } from './simulators';
export { PROVIDERS, type ProviderId };

export interface ProviderSimulator {
  provider: ProviderId;
  /** The simulator's base URL on loopback. */
  url: string;
  /** The variables that point the orchestrator at this simulator and accept its callbacks. */
  environment: Record<string, string>;
  /** The provider's stories, by name, with the verdict each ends with. */
  stories: Record<string, StoryTruth>;
  /** Sets the simulator's truth for one verification of `story` and returns how it starts and its callbacks. */
  play(story: string, options?: PlayOptions): PlayedStory;
  /** A user who never finishes: nothing decides; the verification expires at its deadline. */
  neverFinishes(options?: PlayOptions): PlayedStory;
  /** Sends a played story's callbacks to the orchestrator's ingress (base URL), as the plan says. */
  send(played: PlayedStory, ingressUrl: string, plan?: DeliveryPlan): Promise<DeliveryResult[]>;
  close(): Promise<void>;
}

/** One provider's simulator on loopback. */
export async function startSimulator(provider: ProviderId): Promise<ProviderSimulator> {
  if (!isProviderId(provider)) throw new Error(`'${String(provider)}' is not a provider (${PROVIDERS.join(', ')})`);
  const kit = await loadKit(provider);
  const sim = await kit.start();
  return {
    provider,
    url: sim.url,
    environment: kit.environment(sim),
    stories: Object.fromEntries(Object.entries(kit.stories).map(([name, story]) => [name, story.truth])),
    play: (story, options) => {
      const found = Object.hasOwn(kit.stories, story) ? kit.stories[story] : undefined;
      if (!found) throw new Error(`${provider} has no story '${story}' (${Object.keys(kit.stories).join(', ')})`);
      return found.play(sim, options);
    },
    neverFinishes: (options) => kit.neverFinishes.play(sim, options),
    send: (played, ingressUrl, plan) =>
      sendCallbacks(
        `${ingressUrl.replace(/\/+$/, '')}/webhooks/${played.start.provider}`,
        played.callbacks.map(({ delivery }) => delivery),
        plan,
      ),
    close: () => sim.close(),
  };
}
