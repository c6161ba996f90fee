/**
 * Concedus's testing kit: a customer's or contract's compliance record (100, accepted), in the
 * legacy or the topic format, is the verdict and is in the status API from the start; a person's
 * ident topics (identRequestCreated, the KYC provider's identResult) are progress only, and the
 * person's status in the API decides (failure or abort), read by the fallback polls. Each
 * callback body is an array.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { callbackTimes, defineKit, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import { startConcedusSimulator, type ConcedusSimulator } from './simulator';

const RECORD_VARIANTS = ['customer/legacy', 'customer/topic', 'contract/legacy', 'contract/topic'] as const;

const accepted: ProviderStory<ConcedusSimulator> = {
  truth: { status: 'COMPLETED', decision: 'APPROVED' },
  variants: RECORD_VARIANTS,
  apiKnowsFromStart: true,
  callbacksDecide: true,
  announced: false,
  play: (sim, options = {}) => {
    const key = options.key ?? randomUUID();
    const [kind, format] = (options.variant ?? RECORD_VARIANTS[0]).split('/') as ['customer' | 'contract', string];
    sim.script(kind, key, { status: 100, ...(options.faults ? { faults: options.faults } : {}) });
    const [modified] = callbackTimes(1, options.times);
    const record = sim.complianceRecord(
      kind === 'customer' ? { customerKey: key } : { contractKey: key },
      100,
      modified,
    );
    return {
      start: { provider: 'concedus', reference: kind === 'customer' ? key : `contract:${key}` },
      callbacks: [
        {
          word: 'complianceRecord:100',
          delivery: {
            body: format === 'topic' ? [sim.complianceTopic(record)] : [record],
            headers: sim.callbackHeaders,
          },
        },
      ],
    };
  },
};

/** A person's ident, ended by the person's status in the API (0 failure, 102 abort). */
function identEnded(status: number, truth: StoryTruth): ProviderStory<ConcedusSimulator> {
  return {
    truth,
    apiKnowsFromStart: true,
    // Progress only: the fallback polls read the verdict.
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const personKey = `PERS_${options.key ?? randomUUID()}`;
      const identId = String(randomInt(100_000_000, 999_999_999));
      sim.script('person', personKey, { status, ...(options.faults ? { faults: options.faults } : {}) });
      const headers = sim.callbackHeaders;
      return {
        start: { provider: 'concedus', reference: `person:${personKey}` },
        callbacks: [
          { word: 'identRequestCreated', delivery: { body: [sim.identRequestCreated(personKey, identId)], headers } },
          // The KYC provider's ident succeeded; Concedus's own check of the person still decides.
          { word: 'identResult:success', delivery: { body: [sim.identResult(personKey, identId)], headers } },
        ],
      };
    },
  };
}

export const kit = defineKit<ConcedusSimulator>({
  provider: 'concedus',
  start: () => startConcedusSimulator(),
  environment: (sim) => ({
    CONCEDUS_API_BASE_URL: sim.url,
    CONCEDUS_USERNAME: sim.username,
    CONCEDUS_PASSWORD: sim.password,
    CONCEDUS_WEBHOOK_AUTH: sim.webhookAuth,
  }),
  stories: {
    approved: accepted,
    'ident-failed': identEnded(0, { status: 'FAILED' }),
    'ident-aborted': identEnded(102, { status: 'ABANDONED' }),
  },
  neverFinishes: {
    truth: { status: 'EXPIRED' },
    apiKnowsFromStart: false,
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const personKey = `PERS_${options.key ?? randomUUID()}`;
      // The ident started and never ends: 101 is not an end.
      sim.script('person', personKey, { status: 101 });
      return { start: { provider: 'concedus', reference: `person:${personKey}` }, callbacks: [] };
    },
  },
  // A customer's compliance record whose status code is the word (a code is a number or a word).
  callbackWithWord: (sim, key, word, at) => ({
    word: `complianceRecord:${word}`,
    delivery: {
      body: [sim.complianceRecord({ customerKey: key }, word, at)],
      headers: sim.callbackHeaders,
    },
  }),
});
