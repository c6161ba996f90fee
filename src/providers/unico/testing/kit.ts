/**
 * Unico's testing kit: one webhook per process, PROCESS_STATE_FINISHED with its coarse result,
 * which only announces; GetProcess (scripted from the start) gives the verdict, so the webhook may
 * be lost. The simulator holds the public half of a key pair made at start; the environment gives
 * the orchestrator the private half to sign its token requests with.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { defineKit, type ProviderStory, type StoryTruth } from '../../../testing/kit';
import {
  startUnicoSimulator,
  unicoWebhookAuthSpec,
  unicoWebhookHeaders,
  type UnicoProcessResult,
  type UnicoSimulator,
  type UnicoWebhookAuth,
  type UnicoWebhookResult,
} from './simulator';

export interface UnicoKitSimulator extends UnicoSimulator {
  /** The service account's key (PKCS#8 PEM) the orchestrator signs its token assertions with. */
  privateKeyPem: string;
  /** How the simulated account authenticates its webhooks (chosen at registration). */
  webhookAuth: UnicoWebhookAuth;
}

function finished(
  result: UnicoWebhookResult,
  processResult: UnicoProcessResult,
  truth: StoryTruth,
): ProviderStory<UnicoKitSimulator> {
  return {
    truth,
    apiKnowsFromStart: true,
    callbacksDecide: true,
    announced: true,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      sim.script(key, {
        state: 'PROCESS_STATE_FINISHED',
        result: processResult,
        ...(options.faults ? { faults: options.faults } : {}),
      });
      return {
        start: { provider: 'unico', reference: key },
        callbacks: [
          {
            // The state event is what counts; an expired process's webhook also carries its lastEvent.
            word: `PROCESS_STATE_FINISHED/${result}`,
            delivery: { body: sim.finished(key, result), headers: unicoWebhookHeaders(sim.webhookAuth) },
          },
        ],
      };
    },
  };
}

export const kit = defineKit<UnicoKitSimulator>({
  provider: 'unico',
  start: async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sim = await startUnicoSimulator({ publicKey: keys.publicKey });
    return Object.assign(sim, {
      privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      webhookAuth: { kind: 'bearer', token: `sim-unico-webhook-${randomUUID()}` } as const,
    });
  },
  environment: (sim) => ({
    UNICO_API_BASE_URL: sim.url,
    UNICO_AUTH_URL: sim.authUrl,
    UNICO_SERVICE_ACCOUNT: sim.serviceAccount,
    UNICO_PRIVATE_KEY: sim.privateKeyPem,
    UNICO_WEBHOOK_AUTH: unicoWebhookAuthSpec(sim.webhookAuth),
  }),
  stories: {
    approved: finished('ok', 'PROCESS_RESULT_OK', { status: 'COMPLETED', decision: 'APPROVED' }),
    rejected: finished('invalid_identity', 'PROCESS_RESULT_INVALID_IDENTITY', {
      status: 'COMPLETED',
      decision: 'REJECTED',
    }),
    expired: finished('expired', 'PROCESS_RESULT_EXPIRED', { status: 'EXPIRED' }),
  },
  neverFinishes: {
    truth: { status: 'EXPIRED' },
    apiKnowsFromStart: false,
    callbacksDecide: false,
    announced: false,
    play: (sim, options = {}) => {
      const key = options.key ?? randomUUID();
      // Created, never finished: Unico notifies only a finished process, so nothing is sent.
      sim.script(key, { state: 'PROCESS_STATE_CREATED' });
      return { start: { provider: 'unico', reference: key }, callbacks: [] };
    },
  },
  // The process state is the word. Unico's webhook carries no time of its own.
  callbackWithWord: (sim, key, word) => ({
    word,
    delivery: { body: sim.callback(key, { state: word }), headers: unicoWebhookHeaders(sim.webhookAuth) },
  }),
});
