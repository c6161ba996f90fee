/**
 * What each provider offers tests, the demo, the bench and apps' own tests (kyc-orchestrator/testing):
 * its simulator, the variables that point the orchestrator at it, and its stories — a verification
 * from start to verdict in the provider's own words (the simulator's API scripted with the truth,
 * the provider's documented callbacks in order). Each provider's kit is
 * src/providers/<id>/testing/kit.ts, found by its registry ID (src/testing/kits.ts).
 */
import type { ProviderId } from '../providers/registry';
import type { Decision, Status } from '../verification/model';
import type { CallbackDelivery } from './callback-sender';
import type { Faults, RunningSimulator } from './simulator-http';

/** The canonical end a story must reach. */
export interface StoryTruth {
  status: Status;
  decision?: Decision;
}

/** One verification of a story, played: how the app starts it, and the callbacks the provider sends. */
export interface PlayedStory {
  /** What the app passes to `startVerification` (and the ID the verification goes by). */
  start: { provider: ProviderId; reference: string; context?: Record<string, string> };
  /** The provider's documented callbacks, in order; `word` is the providerStatus each is recorded under. */
  callbacks: { word: string; delivery: CallbackDelivery }[];
}

export interface PlayOptions {
  /** The provider's own key for the verification (default: a fresh UUID). */
  key?: string;
  /** One of the story's `variants` (default: the first). */
  variant?: string;
  /** API errors the simulator serves before the scripted answer (5xx, 429, 404). */
  faults?: Faults;
  /** The callbacks' provider timestamps, in order (default: a second apart, a minute ago). */
  times?: Date[];
}

export interface ProviderStory<Sim> {
  truth: StoryTruth;
  /** The shapes the provider speaks this story in (callback formats, kinds of keys); the first is the default. */
  variants?: readonly string[];
  /** The provider's API holds the verdict from the start: any callback may be lost, or race a deadline. */
  apiKnowsFromStart: boolean;
  /** Its callbacks, all delivered, end the verification without a poll. */
  callbacksDecide: boolean;
  /** The callbacks only announce the verdict: one retrieval fetches it. */
  announced: boolean;
  /** Scripts the simulator's truth for one verification and builds its callbacks. */
  play(sim: Sim, options?: PlayOptions): PlayedStory;
}

export interface ProviderTestKit<Sim extends RunningSimulator = RunningSimulator> {
  /** The provider's registry ID. */
  provider: string;
  start(): Promise<Sim>;
  /**
   * The variables that point the orchestrator at the simulator: its API, credentials, and a
   * `<ID>_WEBHOOK_AUTH` that accepts exactly what the stories' callbacks carry.
   */
  environment(sim: Sim): Record<string, string>;
  /** The provider's stories by name; the first is its plainest approval. */
  stories: Readonly<Record<string, ProviderStory<Sim>>>;
  /** A user who never finishes: the API keeps answering "still open", no callback decides; it expires. */
  neverFinishes: ProviderStory<Sim>;
  /**
   * A callback carrying `word`, any text, where the provider carries its status or event word, for
   * the verification a story played with the same `key` starts (its `start.reference`), sent at `at`
   * (default: now). For words no vocabulary maps (`constructor`, control characters, a fresh word
   * per callback), which the unknown-word rule applies as ACTION_REQUIRED: such callbacks never end
   * a verification, nor make the orchestrator ask the API. The simulator is not scripted: play a
   * story with the key first when what its API answers matters. `word` in the answer is the
   * providerStatus the callback is recorded under (the word itself, or the provider's form of it).
   *
   * @example
   * const played = kit.stories.approved.play(sim, { key });
   * const { word, delivery } = kit.callbackWithWord(sim, key, 'constructor');
   * await postJson(`${ingressUrl}/webhooks/${kit.provider}`, delivery.body, delivery.headers);
   */
  callbackWithWord(sim: Sim, key: string, word: string, at?: Date): { word: string; delivery: CallbackDelivery };
}

/** Keeps a kit's simulator type while kits of different providers are held in one list. */
export function defineKit<Sim extends RunningSimulator>(kit: ProviderTestKit<Sim>): ProviderTestKit<Sim> {
  return kit;
}

/** Provider timestamps a second apart, a minute ago, oldest first, so the documented order is unambiguous. */
export function callbackTimes(count: number, times?: Date[]): Date[] {
  if (times && times.length >= count) return times;
  const first = Date.now() - 60_000;
  return Array.from({ length: count }, (_, n) => new Date(first + n * 1000));
}
