/**
 * A registered provider's callbacks for tests of the ingress in process (with a fake Temporal
 * client), from its testing kit instead of a named provider's payloads: its simulator, the
 * variables that authenticate what its stories send, and the first callback of its plainest story
 * for a verification of its own. The provider: the first registered one whose callbacks may start
 * a verification (one the app alone starts would keep them as dead letters). Read the fields inside
 * tests and hooks: they are set once beforeAll has run.
 */
import request from 'supertest';
import { kycWorkflowId } from '../../src/contracts';
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import type { CallbackDelivery } from '../../src/testing/callback-sender';
import { startSimulators, type RunningSimulators } from '../../src/testing/simulators';

export interface PlayedCallback {
  delivery: CallbackDelivery;
  /** The workflow the callback is handed to. */
  workflowId: string;
}

export interface CallbackProvider {
  readonly provider: ProviderId;
  /** The simulator's variables (KYC_PROVIDERS naming the provider, its credentials and webhook auth). */
  readonly environment: Record<string, string>;
  /** The first callback of the provider's plainest story, for the verification `key` (default: a fresh one). */
  callback(key?: string): PlayedCallback;
  /** Posts a callback to the provider's webhook route of an app in process, with its headers. */
  post(app: Parameters<typeof request>[0], delivery: CallbackDelivery): request.Test;
}

export function useCallbackProvider(): CallbackProvider {
  const provider = PROVIDERS.find((id) => !providerModule(id).appStartsOnly);
  if (!provider) throw new Error('no registered provider lets its callbacks start a verification');
  let sims: RunningSimulators | undefined;
  beforeAll(async () => {
    sims = await startSimulators([provider]);
  });
  afterAll(async () => {
    await sims?.close();
  });
  const running = () => {
    if (!sims) throw new Error('the simulator is not started yet: read it in a test, after beforeAll');
    return sims;
  };
  return {
    provider,
    get environment() {
      return running().environment;
    },
    callback: (key) => {
      const { kit, sim } = running().of(provider);
      const played = Object.values(kit.stories)[0]!.play(sim, key === undefined ? {} : { key });
      return { delivery: played.callbacks[0]!.delivery, workflowId: kycWorkflowId(provider, played.start.reference) };
    },
    post: (app, { body, headers }) => {
      const req = request(app)
        .post(`/webhooks/${provider}`)
        .set(headers ?? {});
      return typeof body === 'string'
        ? req.set('Content-Type', 'application/json').send(body)
        : req.send(body as object);
    },
  };
}
