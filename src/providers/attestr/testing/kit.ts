/**
 * Attestr's testing kit: one flowx event per handshake, signed result included when it completed.
 * A completed flow's result is in the API from the start, but the API serves errored and skipped
 * flows' results too, so a result found by polling is provisional until the event names the outcome:
 * only the event ends such a story in good time. An async request's outcome is final at the first
 * look, so its API knows it from the start. Attestr reports data, not a verdict: no story ends with
 * a decision.
 */
import { randomUUID } from 'node:crypto';
import { callbackTimes, defineKit, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import { startAttestrSimulator, type AttestrSimulator } from './simulator';

function flowEnding(event: string, truth: StoryTruth, apiHasResult: boolean): ProviderStory<AttestrSimulator> {
  return {
    truth,
    // A result found by polling waits for the event (or the review window): not an end in good time.
    apiKnowsFromStart: false,
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
    asyncCompleted: {
      truth: { status: 'COMPLETED' },
      apiKnowsFromStart: true,
      callbacksDecide: true,
      announced: false,
      play: (sim, options = {}) => {
        const key = options.key ?? randomUUID();
        sim.script(key, { kind: 'async', status: 'COMPLETED', ...(options.faults ? { faults: options.faults } : {}) });
        const [updated] = callbackTimes(1, options.times);
        return {
          start: { provider: 'attestr', reference: key, context: { kind: 'async' } },
          callbacks: [
            {
              word: 'async.completed',
              delivery: {
                body: sim.asyncCallback(key, 'async.completed', updated, { result: { status: 'COMPLETED' } }),
                headers: sim.webhookHeaders(),
              },
            },
          ],
        };
      },
    },
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
  // The flowx event name is the word.
  callbackWithWord: (sim, key, word, at) => ({
    word,
    delivery: { body: sim.flowxCallback(key, word, at ? { updated: at } : {}), headers: sim.webhookHeaders() },
  }),
});
