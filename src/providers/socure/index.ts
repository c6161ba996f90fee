import { ConfigError, type EnvReader } from '../../config/env-reader';
import { defineProvider } from '../module';
import { createSocureCallbackParser } from './callback';
import { SOCURE_MAPPING } from './mapping';
import { createSocureRetrievalClient, SOCURE_RESULT_APIS, type SocureSettings } from './retrieval';

/** Socure's legacy ID+ host, which serves `/api/3.0/EmailAuthScore` (login.gov's socure_idplus_base_url). */
export const SOCURE_IDPLUS_BASE_URL = 'https://service.socure.com';
/** RiskOS's production host (the sandbox is https://riskos.sandbox.socure.com). */
export const SOCURE_RISKOS_BASE_URL = 'https://riskos.socure.com';

export const socure = defineProvider({
  id: 'socure',
  displayName: 'Socure',
  reference: {
    description: 'the DocV transaction ID (or token), or the RiskOS `eval_id`',
    example: 'd3a8f0c2-0000-4000-8000-00000000000a',
  },
  defaults: {
    apiBaseUrl: SOCURE_IDPLUS_BASE_URL,
    // Callbacks carry the verdict, so silence is what polling answers. Socure publishes no polling
    // guidance or session lifetime: the same quarter of an hour as a typical capture session's timeout.
    callbackGrace: '15m',
    // Sparse on purpose: every ID+ result call is a billable transaction, and polling only
    // rescues a lost callback. After the schedule the workflow polls once a day.
    pollSchedule: '300,900,1800,3600,7200',
    // Socure publishes no DocV session lifetime; a day, like the other providers, until it does.
    expiresAfter: '1d',
  },
  webhookAuth: {
    // No default: Socure's callbacks carry a secret configured per account (legacy: a static
    // secret in Authorization; RiskOS: Basic or Bearer), which we cannot know.
    kinds: ['bearer', 'basic', 'header'],
    note: 'a secret configured per account: legacy DocV sends it as-is in Authorization, RiskOS as Basic or Bearer',
  },
  retriesCallbacks: true,
  variables: [
    {
      name: 'SOCURE_RESULT_API',
      example: 'idplus',
      description:
        'idplus (legacy EmailAuthScore, SocureApiKey) | riskos (GET /api/evaluation/{id}, Bearer; set SOCURE_API_BASE_URL) | docv (GET /api/3.0/documents/{id})',
    },
    {
      name: 'SOCURE_API_KEY',
      example: '',
      description: 'the retrieval API key',
      requiredInProduction: true,
      secret: true,
    },
    {
      name: 'SOCURE_RISKOS_API_BASE_URL',
      example: SOCURE_RISKOS_BASE_URL,
      description: "the RiskOS host when SOCURE_RESULT_API is not riskos (a verification's callbacks pick its flavour)",
    },
    {
      name: 'SOCURE_IDPLUS_API_BASE_URL',
      example: SOCURE_IDPLUS_BASE_URL,
      description: 'the ID+ host when SOCURE_RESULT_API=riskos',
    },
    {
      name: 'SOCURE_CONFIRM_VERDICTS',
      example: '',
      description:
        'a verdict in a callback is confirmed through the retrieval API before it ends a verification, and any other end a callback names (SESSION_EXPIRED, CONSENT_DECLINED, RiskOS workflow_execution_failed) is a claim the API must confirm; default: true when NODE_ENV=production, false otherwise',
    },
  ],
  readSettings: (env: EnvReader, { apiBaseUrl, production }): SocureSettings => {
    const resultApi = env.enumOf('SOCURE_RESULT_API', SOCURE_RESULT_APIS, 'idplus');
    // The default host serves ID+ only; asking it for a RiskOS evaluation would read as "not found" forever.
    if (resultApi === 'riskos' && !env.has('SOCURE_API_BASE_URL')) {
      throw new ConfigError(
        'SOCURE_API_BASE_URL',
        'must be set when SOCURE_RESULT_API=riskos (e.g. https://riskos.socure.com, or the RiskOS sandbox host)',
      );
    }
    // A verification whose callbacks name another flavour is asked on that flavour's own host.
    const idplusBaseUrl =
      resultApi === 'riskos' ? env.url('SOCURE_IDPLUS_API_BASE_URL', SOCURE_IDPLUS_BASE_URL) : apiBaseUrl;
    const riskosBaseUrl =
      resultApi === 'riskos' ? apiBaseUrl : env.url('SOCURE_RISKOS_API_BASE_URL', SOCURE_RISKOS_BASE_URL);
    return {
      apiBaseUrl,
      apiBaseUrls: { idplus: idplusBaseUrl, docv: idplusBaseUrl, riskos: riskosBaseUrl, [resultApi]: apiBaseUrl },
      resultApi,
      apiKey: env.devString('SOCURE_API_KEY', ''),
      // A verdict in a Socure callback is protected only by a static secret: confirmed through
      // the retrieval API before it ends a verification (production default).
      confirmVerdicts: env.boolean('SOCURE_CONFIRM_VERDICTS', production),
    };
  },
  createCallbackParser: (settings) =>
    createSocureCallbackParser({ confirmVerdicts: settings.confirmVerdicts ?? false }),
  createRetrievalClient: (settings) => createSocureRetrievalClient(settings),
  vocabulary: SOCURE_MAPPING,
});
