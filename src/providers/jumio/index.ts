import { ConfigError, type EnvReader } from '../../config/env-reader';
import { referenceSchema } from '../common';
import { defineProvider } from '../module';
import { createJumioCallbackParser } from './callback';
import { JUMIO_DEFAULT_API_BASE_URL, JUMIO_DOCUMENTED_REGIONS, type JumioRegion } from './href';
import { JUMIO_MAPPING } from './mapping';
import { createJumioRetrievalClient, type JumioSettings } from './retrieval';

/** Jumio's published callback source addresses, all regions (documentation.jumio.ai, "Callback"). */
export const JUMIO_CALLBACK_IPS = [
  // US (callback.amer-1.jumio.ai)
  '34.202.241.227',
  '34.226.103.119',
  '34.226.254.127',
  '52.8.136.236',
  '54.177.61.57',
  '54.183.15.212',
  // EU (callback.emea-1.jumio.ai)
  '34.253.41.236',
  '35.157.27.193',
  '52.48.0.25',
  '52.57.194.92',
  '52.58.113.86',
  '52.209.180.134',
  // SGP (callback.apac-1.jumio.ai)
  '3.0.109.121',
  '52.76.184.73',
  '52.77.102.92',
  '13.238.100.17',
  '13.238.203.238',
  '52.64.132.26',
];

export const jumio = defineProvider({
  id: 'jumio',
  displayName: 'Jumio',
  reference: {
    description: 'the workflow execution ID (`workflowExecution.id`)',
    example: '7f1e2d3c-0000-4000-8000-000000000001',
  },
  // Every retrieval URL is /accounts/{accountId}/workflow-executions/{id}: no account ID, no poll.
  requiredContext: [
    {
      key: 'accountId',
      example: '11111111-aaaa-bbbb-cccc-000000000001',
      description: 'the Jumio account the execution belongs to',
    },
  ],
  defaults: {
    apiBaseUrl: JUMIO_DEFAULT_API_BASE_URL,
    // Jumio sends no result in its callbacks and may drop one; its session times out after 15 minutes of inactivity.
    callbackGrace: '15m',
    // Jumio's documented retrieval retry timings.
    pollSchedule: '40,60,100,160,240,340,460,600,760,940',
    expiresAfter: '1d',
  },
  webhookAuth: {
    kinds: ['ip'],
    default: `ip:${JUMIO_CALLBACK_IPS.join(',')}`,
    note: "Jumio's callbacks carry no credential: its published source addresses (all regions) are the rule, and the account ID in each callback tells ours from other Jumio customers'",
  },
  retriesCallbacks: true,
  variables: [
    {
      name: 'JUMIO_AUTH_URL',
      example: 'https://auth.amer-1.jumio.ai/oauth2/token',
      description:
        'OAuth2 token endpoint of the retrieval API (client credentials; the token is cached until shortly before it expires)',
    },
    { name: 'JUMIO_CLIENT_ID', example: '', description: 'OAuth2 client ID', requiredInProduction: true },
    {
      name: 'JUMIO_CLIENT_SECRET',
      example: '',
      description: 'OAuth2 client secret',
      requiredInProduction: true,
      secret: true,
    },
    {
      name: 'JUMIO_USER_AGENT',
      example: 'kyc-orchestrator/0.1',
      description: 'User-Agent of retrieval calls (Jumio asks for one)',
    },
    {
      name: 'JUMIO_REGIONS',
      example: '',
      description:
        "Jumio's regions a callback href may name, retrieval origin=token URL, comma-separated; default the documented US, EU and SGP (https://retrieval.<region>.jumio.ai=https://auth.<region>.jumio.ai/oauth2/token)",
    },
    {
      name: 'JUMIO_ACCOUNT_IDS',
      example: '',
      description:
        "your account IDs, comma-separated: a callback naming another account is refused (403, dead letter `foreign_account`); Jumio's addresses send every Jumio customer's callbacks. Development: unset accepts any account",
      requiredInProduction: true,
    },
  ],
  readSettings: (env, { apiBaseUrl }): JumioSettings => ({
    apiBaseUrl,
    authUrl: env.url('JUMIO_AUTH_URL', 'https://auth.amer-1.jumio.ai/oauth2/token'),
    clientId: env.devString('JUMIO_CLIENT_ID', ''),
    clientSecret: env.devString('JUMIO_CLIENT_SECRET', ''),
    userAgent: env.string('JUMIO_USER_AGENT', 'kyc-orchestrator/0.1'),
    regions: readRegions(env),
    ...readAccountIds(env),
  }),
  createCallbackParser: (settings) =>
    createJumioCallbackParser({
      apiBaseUrl: settings.apiBaseUrl,
      ...(settings.regions ? { regionOrigins: settings.regions.map((region) => region.origin) } : {}),
      ...(settings.accountIds ? { accountIds: settings.accountIds } : {}),
    }),
  createRetrievalClient: (settings) => createJumioRetrievalClient(settings),
  vocabulary: JUMIO_MAPPING,
});

/**
 * `JUMIO_ACCOUNT_IDS`, comma-separated. Required outside development: Jumio's callback addresses
 * are shared by every Jumio customer, so only the account ID tells our callbacks from theirs.
 * The development default (unset) accepts any account.
 */
function readAccountIds(env: EnvReader): Pick<JumioSettings, 'accountIds'> {
  const raw = env.devString('JUMIO_ACCOUNT_IDS', '');
  if (raw === '') return {};
  const list = raw
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (list.length === 0) throw new ConfigError('JUMIO_ACCOUNT_IDS', 'lists no account ID');
  list.forEach((id, index) => {
    if (!referenceSchema.safeParse(id).success) {
      throw new ConfigError(
        'JUMIO_ACCOUNT_IDS',
        `entry ${index + 1} is not an account ID (letters, digits and . _ : -)`,
      );
    }
  });
  return { accountIds: list };
}

/**
 * `JUMIO_REGIONS`: `<retrieval origin>=<token URL>,…`, the regions a callback `href` may send a
 * retrieval to (a transaction lives in one region; the others answer 404). Default: Jumio's
 * documented regions. Each origin is an origin only (scheme, host, port), each token URL http(s).
 */
function readRegions(env: EnvReader): JumioRegion[] {
  const raw = env.string('JUMIO_REGIONS', '').trim();
  if (raw === '') return [...JUMIO_DOCUMENTED_REGIONS];
  return raw.split(',').map((entry, index) => {
    const at = `entry ${index + 1}`;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ConfigError('JUMIO_REGIONS', `${at} must be <retrieval origin>=<token URL>`);
    const [origin, authUrl] = [entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()];
    if (!isHttpUrl(origin) || new URL(origin).origin !== origin.replace(/\/+$/, '')) {
      throw new ConfigError('JUMIO_REGIONS', `${at}: the retrieval origin must be an http(s) origin (no path)`);
    }
    if (!isHttpUrl(authUrl)) throw new ConfigError('JUMIO_REGIONS', `${at}: the token URL is not an http(s) URL`);
    return { origin: new URL(origin).origin, authUrl };
  });
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
