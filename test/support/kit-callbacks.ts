/**
 * A registered provider's callbacks for tests of the ingress in process (with a fake Temporal
 * client), from its testing kit instead of a named provider's payloads: its simulator, the
 * variables that authenticate what its stories send, and its stories' callbacks played for
 * verifications of their own. The provider and story: the first registered provider whose callbacks
 * may start a verification (one the app alone starts would keep them as dead letters), and its
 * first story whose played callbacks `need` accepts (default: its plainest story). Read the fields
 * inside tests and hooks: they are set once beforeAll has run.
 */
import request from 'supertest';
import { kycWorkflowId } from '../../src/contracts';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import type { CallbackDelivery } from '../../src/testing/callback-sender';
import type { PlayedStory, PlayOptions, ProviderStory } from '../../src/testing/kit';
import { startSimulators, type RunningProvider, type RunningSimulators } from '../../src/testing/simulators';

export interface PlayedCallbacks {
  /** The story's callbacks in order, each with the providerStatus it is recorded under. */
  callbacks: PlayedStory['callbacks'];
  /** The workflow they are handed to. */
  workflowId: string;
}

export interface CallbackProvider {
  readonly provider: ProviderId;
  /** The simulator's variables (KYC_PROVIDERS naming the provider, its credentials and webhook auth). */
  readonly environment: Record<string, string>;
  /** The chosen story played for the verification `key` (default: a fresh one). */
  play(key?: string, options?: Omit<PlayOptions, 'key'>): PlayedCallbacks;
  /** The first callback of the chosen story, for the verification `key` (default: a fresh one). */
  callback(key?: string): { delivery: CallbackDelivery; workflowId: string };
  /** Posts a callback to the provider's webhook route of an app in process, with its headers. */
  post(app: Parameters<typeof request>[0], delivery: CallbackDelivery): request.Test;
}

export function useCallbackProvider(
  need: (played: PlayedStory) => boolean = () => true,
  why = 'a story',
): CallbackProvider {
  let chosen: { sims: RunningSimulators; running: RunningProvider; story: ProviderStory<never> } | undefined;
  beforeAll(async () => {
    for (const provider of PROVIDERS.filter((id) => !providerModule(id).appStartsOnly)) {
      const sims = await startSimulators([provider]);
      const running = sims.of(provider);
      const story = Object.values(running.kit.stories).find((each) => need(each.play(running.sim)));
      if (story) {
        chosen = { sims, running, story: story as ProviderStory<never> };
        return;
      }
      await sims.close();
    }
    throw new Error(`no registered provider whose callbacks may start a verification has ${why}`);
  });
  afterAll(async () => {
    await chosen?.sims.close();
  });
  const picked = () => {
    if (!chosen) throw new Error('no provider chosen yet: read it in a test, after beforeAll');
    return chosen;
  };
  const play = (key?: string, options: Omit<PlayOptions, 'key'> = {}): PlayedCallbacks => {
    const { running, story } = picked();
    const played = (story as ProviderStory<typeof running.sim>).play(running.sim, {
      ...options,
      ...(key === undefined ? {} : { key }),
    });
    return { callbacks: played.callbacks, workflowId: kycWorkflowId(running.provider, played.start.reference) };
  };
  return {
    get provider() {
      return picked().running.provider;
    },
    get environment() {
      return picked().sims.environment;
    },
    play,
    callback: (key) => {
      const { callbacks, workflowId } = play(key);
      return { delivery: callbacks[0]!.delivery, workflowId };
    },
    post: (app, { body, headers }) => {
      const req = request(app)
        .post(`/webhooks/${picked().running.provider}`)
        .set(headers ?? {});
      return typeof body === 'string'
        ? req.set('Content-Type', 'application/json').send(body)
        : req.send(body as object);
    },
  };
}

/** A played story's last callback. */
export function lastCallback(played: PlayedCallbacks): PlayedCallbacks['callbacks'][number] {
  return played.callbacks.at(-1)!;
}

/** An earlier callback of a played story, in another status than its last. */
export function otherCallback(played: PlayedCallbacks): PlayedCallbacks['callbacks'][number] {
  const last = lastCallback(played);
  return played.callbacks.find(({ word }) => word !== last.word)!;
}
