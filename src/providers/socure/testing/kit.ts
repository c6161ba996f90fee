/**
 * Socure's testing kit: progress, progress, then the verdict in the callback itself, in each of
 * Socure's shapes (the seed's DocV events, the legacy DocV envelope, RiskOS evaluation events).
 * The API holds the decision from the start, so any callback may be lost. Left out: SESSION_EXPIRED
 * and CONSENT_DECLINED, which Socure documents only as SDK statuses and only a callback could tell.
 */
import { randomUUID } from 'node:crypto';
import { callbackTimes, defineKit, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import { startSocureSimulator, type SocureDecisionValue, type SocureSimulator } from './simulator';

const VARIANTS = ['docv', 'legacy', 'riskos'] as const;

function decided(decision: SocureDecisionValue, truth: StoryTruth): ProviderStory<SocureSimulator> {
  return {
    truth,
    variants: VARIANTS,
    apiKnowsFromStart: true,
    callbacksDecide: true,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      sim.script(key, { decision, ...(options.faults ? { faults: options.faults } : {}) });
      const [opened, uploaded, completed] = callbackTimes(3, options.times);
      const headers = sim.callbackHeaders();
      const start = { provider: 'socure' as const, reference: key };
      if (options.variant === 'riskos') {
        const verdict = decision.toUpperCase();
        const steps = [
          { word: 'evaluation_paused', body: sim.callbacks.riskos(key, 'evaluation_paused', { at: opened }) },
          { word: 'evaluation_resumed', body: sim.callbacks.riskos(key, 'evaluation_resumed', { at: uploaded }) },
          {
            word: `evaluation_completed/${verdict}`,
            body: sim.callbacks.riskos(key, 'evaluation_completed', { at: completed, decision: verdict }),
          },
        ];
        return { start, callbacks: steps.map(({ word, body }) => ({ word, delivery: { body, headers } })) };
      }
      const legacy = options.variant === 'legacy';
      const shape = (eventType: string, at: Date | undefined, verdict?: string) =>
        legacy
          ? sim.callbacks.legacy(key, eventType, { at, ...(verdict ? { decision: verdict } : {}) })
          : sim.callbacks.docv(key, eventType, { at, ...(verdict ? { decision: verdict } : {}) });
      const steps = [
        { word: 'APP_OPENED', body: shape('APP_OPENED', opened) },
        { word: 'DOCUMENTS_UPLOADED', body: shape('DOCUMENTS_UPLOADED', uploaded) },
        { word: `VERIFICATION_COMPLETED/${decision}`, body: shape('VERIFICATION_COMPLETED', completed, decision) },
      ];
      return { start, callbacks: steps.map(({ word, body }) => ({ word, delivery: { body, headers } })) };
    },
  };
}

export const kit = defineKit<SocureSimulator>({
  provider: 'socure',
  start: () => startSocureSimulator(),
  environment: (sim) => ({
    SOCURE_API_BASE_URL: sim.url,
    // The simulator serves every flavour: a verification whose callbacks are RiskOS's is asked there.
    SOCURE_RISKOS_API_BASE_URL: sim.url,
    SOCURE_API_KEY: sim.apiKey,
    SOCURE_WEBHOOK_AUTH: `bearer:${sim.webhookSecret}`,
  }),
  stories: {
    approved: decided('accept', { status: 'COMPLETED', decision: 'APPROVED' }),
    rejected: decided('reject', { status: 'COMPLETED', decision: 'REJECTED' }),
    review: decided('review', { status: 'COMPLETED', decision: 'REVIEW' }),
    resubmit: decided('resubmit', { status: 'COMPLETED', decision: 'RESUBMIT' }),
  },
  neverFinishes: {
    truth: { status: 'EXPIRED' },
    apiKnowsFromStart: false,
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      // No decision at Socure: its API answers without one until the deadline.
      sim.script(key, {});
      const [opened] = callbackTimes(1, options.times);
      return {
        start: { provider: 'socure', reference: key },
        callbacks: [
          {
            word: 'APP_OPENED',
            delivery: { body: sim.callbacks.docv(key, 'APP_OPENED', { at: opened }), headers: sim.callbackHeaders() },
          },
        ],
      };
    },
  },
  // The DocV event type is the word (its default shape, as the stories' first variant speaks).
  callbackWithWord: (sim, key, word, at) => ({
    word,
    delivery: { body: sim.callbacks.docv(key, word, { at }), headers: sim.callbackHeaders() },
  }),
});
