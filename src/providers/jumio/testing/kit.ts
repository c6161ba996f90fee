/**
 * Jumio's testing kit: callbacks only announce (ACQUIRED, then PROCESSED); the verdict is the
 * retrieval API's `decision.type`, scripted in the simulator from the start. Every execution
 * belongs to the simulator's one account, which the environment names in JUMIO_ACCOUNT_IDS.
 */
import { randomUUID } from 'node:crypto';
import { callbackTimes, defineKit, type PlayOptions, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import { startJumioSimulator, type JumioDecisionType, type JumioSimulator } from './simulator';

export interface JumioKitSimulator extends JumioSimulator {
  /** The account every scripted execution belongs to. */
  accountId: string;
}

function decided(type: JumioDecisionType, truth: StoryTruth): ProviderStory<JumioKitSimulator> {
  return {
    truth,
    apiKnowsFromStart: true,
    callbacksDecide: true,
    announced: true,
    play: (sim, options: PlayOptions = {}) => {
      const key = options.key ?? randomUUID();
      sim.script(key, {
        accountId: sim.accountId,
        status: 'PROCESSED',
        decision: { type },
        ...(options.faults ? { faults: options.faults } : {}),
      });
      const at = callbackTimes(2, options.times);
      return {
        start: { provider: 'jumio', reference: key, context: { accountId: sim.accountId } },
        callbacks: ['ACQUIRED', 'PROCESSED'].map((status, n) => ({
          word: status,
          delivery: { body: sim.callback(key, status, at[n]) },
        })),
      };
    },
  };
}

export const kit = defineKit<JumioKitSimulator>({
  provider: 'jumio',
  start: async () => Object.assign(await startJumioSimulator(), { accountId: `acct-${randomUUID()}` }),
  environment: (sim) => ({
    JUMIO_API_BASE_URL: sim.url,
    JUMIO_AUTH_URL: sim.authUrl,
    JUMIO_CLIENT_ID: sim.clientId,
    JUMIO_CLIENT_SECRET: sim.clientSecret,
    JUMIO_ACCOUNT_IDS: sim.accountId,
    // The simulator sends from loopback, as Jumio sends from its published addresses.
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
  }),
  stories: {
    approved: decided('PASSED', { status: 'COMPLETED', decision: 'APPROVED' }),
    rejected: decided('REJECTED', { status: 'COMPLETED', decision: 'REJECTED' }),
    review: decided('WARNING', { status: 'COMPLETED', decision: 'REVIEW' }),
  },
  neverFinishes: {
    truth: { status: 'EXPIRED' },
    apiKnowsFromStart: false,
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      sim.script(key, { accountId: sim.accountId, status: 'ACQUISITION_STARTED' });
      const [at] = callbackTimes(1, options.times);
      return {
        start: { provider: 'jumio', reference: key, context: { accountId: sim.accountId } },
        callbacks: [{ word: 'INITIATED', delivery: { body: sim.callback(key, 'INITIATED', at) } }],
      };
    },
  },
  // The execution's status is any word; an execution no story scripted is still the account's.
  callbackWithWord: (sim, key, word, at) => ({
    word,
    delivery: { body: sim.callback(key, word, at, { accountId: sim.accountId }) },
  }),
});
