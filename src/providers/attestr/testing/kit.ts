/**
 * Attestr's testing kit: one flowx event per handshake, signed result included when it completed.
 * A completed flow's result is in the API from the start (its callback may be lost: polling finds
 * it); an errored or skipped flow is only "consumed" there, so only its event tells, and it is
 * delivered. Attestr reports data, not a verdict: no story ends with a decision.
 */
import { randomUUID } from 'node:crypto';
import { callbackTimes, defineKit, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import { startAttestrSimulator, type AttestrSimulator } from './simulator';

function flowEnding(event: string, truth: StoryTruth, apiHasResult: boolean): ProviderStory<AttestrSimulator> {
  return {
    truth,
    apiKnowsFromStart: apiHasResult,
    callbacksDecide: true,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      sim.script(key, {
        kind: 'flowx',
        state: apiHasResult ? 'result' : 'consumed',
        ...(options.faults ? { faults: options.faults } : {}),
      });
      const [updated] = callbackTimes(1, options.times);
      return {
        start: { provider: 'attestr', reference: key },
        callbacks: [
          {
            word: event,
            delivery: { body: sim.flowxCallback(key, event, { updated }), headers: sim.webhookHeaders() },
          },
        ],
      };
    },
  };
}

export const kit = defineKit<AttestrSimulator>({
  provider: 'attestr',
  start: () => startAttestrSimulator(),
  environment: (sim) => ({
    ATTESTR_API_BASE_URL: sim.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: sim.authToken,
    ATTESTR_CLIENT_SECRET: sim.clientSecret,
    ATTESTR_WEBHOOK_AUTH: `basic:${sim.webhookToken}`,
  }),
  stories: {
    completed: flowEnding('flowx.completed', { status: 'COMPLETED' }, true),
    errored: flowEnding('flowx.errored', { status: 'FAILED' }, false),
    skipped: flowEnding('flowx.skipped', { status: 'ABANDONED' }, false),
  },
  neverFinishes: {
    truth: { status: 'EXPIRED' },
    apiKnowsFromStart: false,
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      // Nobody opens the flow: no event is ever sent.
      sim.script(key, { kind: 'flowx', state: 'unconsumed' });
      return { start: { provider: 'attestr', reference: key }, callbacks: [] };
    },
  },
});
