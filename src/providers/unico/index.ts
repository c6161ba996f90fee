import { defineProvider } from '../module';
import { createUnicoCallbackParser } from './callback';
import { UNICO_MAPPING } from './mapping';
import { createUnicoRetrievalClient } from './retrieval';
import { readUnicoSettings, type UnicoSettings } from './settings';

export const unico = defineProvider({
  id: 'unico',
  displayName: 'Unico',
  reference: { description: 'the process ID (`processId`)', example: '0a1b2c3d-0000-4000-8000-00000000000b' },
  defaults: {
    // GetProcess of the Web & SDK ("by Unico") contract; sandbox: https://api.idcloud.uat.unico.app
    apiBaseUrl: 'https://api.idcloud.unico.app',
    // Unico's webhook fires only when a process finishes, so the whole user session is silence:
    // the first look waits long enough for a typical capture to end.
    callbackGrace: '30m',
    // Unico publishes no polling interval; GetProcess may be called repeatedly. Backs off to twice
    // a day, then the workflow's daily poll, until the process's own expiry.
    pollSchedule: '15m,30m,1h,2h,4h,8h,12h',
    // Inferred from GetProcess's example (expiresAt = createdAt + 7 days); Unico states no default.
    expiresAfter: '7d',
  },
  webhookAuth: {
    // No default: Unico's webhook auth is chosen at registration, so UNICO_WEBHOOK_AUTH must say which.
    kinds: ['basic', 'header', 'bearer'],
    note: 'chosen when the webhook is registered: Basic, an API-key header, or an OAuth2 bearer token',
  },
  retriesCallbacks: true,
  variables: [
    {
      name: 'UNICO_AUTH_URL',
      example: 'https://identity.acesso.io/oauth2/token',
      description: 'OAuth2 token endpoint (JWT-bearer grant)',
    },
    {
      name: 'UNICO_AUTH_AUDIENCE',
      example: '',
      description: "the assertion's audience; default: the origin of UNICO_AUTH_URL",
    },
    {
      name: 'UNICO_SERVICE_ACCOUNT',
      example: '',
      description: 'the service account, <account>@<tenant>.iam.acesso.io',
      requiredInProduction: true,
    },
    {
      name: 'UNICO_PRIVATE_KEY',
      example: '',
      description: "the service account's RSA key, PEM (\\n escapes allowed); or UNICO_PRIVATE_KEY_FILE",
      requiredInProduction: true,
      secret: true,
    },
    { name: 'UNICO_PRIVATE_KEY_FILE', example: '', description: 'a file holding the PEM key instead' },
    {
      name: 'UNICO_EVENTS',
      example: '',
      description:
        'which lastEvent values move the status: JSON {"EVENT_TYPE_X": {"status": "IN_PROGRESS", "retrieve": false}}',
    },
    { name: 'UNICO_EVENTS_FILE', example: '', description: 'the same table in a file' },
    {
      name: 'UNICO_FLOWS',
      example: '',
      description:
        'which capabilities each flow uses, over the shipped table: JSON {"idlive": ["liveness"], ...}; a capability a flow does not use is not a failure',
    },
  ],
  readSettings: (env, { apiBaseUrl }): UnicoSettings => readUnicoSettings(env, apiBaseUrl),
  createCallbackParser: (settings) => createUnicoCallbackParser(settings.events),
  createRetrievalClient: (settings) => createUnicoRetrievalClient(settings),
  vocabulary: UNICO_MAPPING,
});
