import { ConfigError } from '../../config/env-reader';
import { defineProvider } from '../module';
import { createAttestrCallbackParser } from './callback';
import { ATTESTR_MAPPING } from './mapping';
import { createAttestrRetrievalClient, type AttestrSettings } from './retrieval';
import { DEFAULT_ASYNC_STATUSES, parseAsyncStatuses } from './vocabulary';

export const attestr = defineProvider({
  id: 'attestr',
  displayName: 'Attestr',
  reference: { description: 'the FlowX handshake ID, or the async request `_id`', example: '64f0c0ffee0000000000000a' },
  defaults: {
    // Attestr's API carries its version in the path (v1/v2); v2 is the current one.
    apiBaseUrl: 'https://api.attestr.com/api/v2',
    // Attestr sends each event once, with a 5 s timeout, possibly out of order, and never
    // retries: polling is the normal safety net, so it starts soon.
    callbackGrace: '5m',
    // No interval is published: quick looks while a user is likely still in the flow, then
    // spreading out over the handshake's default 24 h lifetime (then daily, until expiry).
    pollSchedule: '60,120,300,600,900,1800,3600,7200,14400,28800',
    // A handshake expires 24 h after creation unless created with another `expiry`.
    expiresAfter: '24h',
    // A poll-found result waits this long for the flowx event that names its outcome: the event is
    // sent once, when the flow ends, so it comes within seconds of the result or not at all.
    reviewWindow: '30m',
  },
  webhookAuth: {
    kinds: ['basic'],
    note: 'its dashboard token as `Authorization: Basic <token>` (the token as it stands, not base64 of user:password): `basic:<token>`',
  },
  // Each event is sent once: a callback Temporal cannot take now waits in the local inbox.
  retriesCallbacks: false,
  variables: [
    {
      name: 'ATTESTR_AUTH_TOKEN',
      example: '',
      description: "the API's Authorization token",
      requiredInProduction: true,
      secret: true,
    },
    {
      name: 'ATTESTR_CLIENT_SECRET',
      example: '',
      description:
        "flow results' `resultSignature` (HMAC) is verified on callbacks and polls (401 when it does not match); required when NODE_ENV=production",
      secret: true,
    },
    {
      name: 'ATTESTR_REQUIRE_SIGNATURE',
      example: '',
      description:
        'false: run in production without ATTESTR_CLIENT_SECRET (unsafe: a result is then trusted on the webhook token alone); default true',
    },
    {
      name: 'ATTESTR_CONFIRM_OUTCOMES',
      example: '',
      description:
        'an outcome only the webhook token vouches for (errored, skipped, async) is confirmed through the API before it ends a verification; default: true when NODE_ENV=production',
    },
    {
      name: 'ATTESTR_ASYNC_STATUSES',
      example: DEFAULT_ASYNC_STATUSES,
      description: 'the async outcome words, WORD=STATUS,… (Attestr does not publish them)',
    },
  ],
  readSettings: (env, { apiBaseUrl, production }): AttestrSettings => {
    const clientSecret = env.string('ATTESTR_CLIENT_SECRET');
    // Attestr signs results with the client secret: without it a result rests on the static
    // webhook token alone, which production does not accept unless told so explicitly.
    if (production && !clientSecret && env.boolean('ATTESTR_REQUIRE_SIGNATURE', true)) {
      throw new ConfigError(
        'ATTESTR_CLIENT_SECRET',
        'required in production: Attestr signs results with it (ATTESTR_REQUIRE_SIGNATURE=false runs without, unsafe)',
      );
    }
    return {
      apiBaseUrl,
      authToken: env.devString('ATTESTR_AUTH_TOKEN', ''),
      clientSecret,
      asyncStatuses: readAsyncStatuses(env.string('ATTESTR_ASYNC_STATUSES', DEFAULT_ASYNC_STATUSES)),
      confirmOutcomes: env.boolean('ATTESTR_CONFIRM_OUTCOMES', production),
    };
  },
  createCallbackParser: (settings) =>
    createAttestrCallbackParser({ clientSecret: settings.clientSecret, confirmOutcomes: settings.confirmOutcomes }),
  createRetrievalClient: (settings) => createAttestrRetrievalClient(settings),
  vocabulary: ATTESTR_MAPPING,
});

function readAsyncStatuses(text: string): AttestrSettings['asyncStatuses'] {
  try {
    return parseAsyncStatuses(text);
  } catch (err) {
    throw new ConfigError('ATTESTR_ASYNC_STATUSES', err instanceof Error ? err.message : 'is not WORD=STATUS,…');
  }
}
