import { ConfigError, type EnvReader } from '../../config/env-reader';
import { isProduction } from '../common';
import { defineProvider } from '../module';
import { createSocureCallbackParser } from './callback';
import { createSocureRetrievalClient, SOCURE_RESULT_APIS, type SocureSettings } from './retrieval';

/** Socure's legacy ID+ host, which serves `/api/3.0/EmailAuthScore` (login.gov's socure_idplus_base_url). */
export const SOCURE_IDPLUS_BASE_URL = 'https://service.socure.com';
/** RiskOS's production host (the sandbox is https://riskos.sandbox.socure.com). */
export const SOCURE_RISKOS_BASE_URL = 'https://riskos.socure.com';

export const socure = defineProvider<SocureSettings>({
  id: 'socure',
  displayName: 'Socure',
  defaults: {
    apiBaseUrl: SOCURE_IDPLUS_BASE_URL,
    // Callbacks carry the verdict, so silence is what polling answers. Socure publishes no polling
    // guidance or session lifetime: the same quarter of an hour as Jumio's inactivity timeout.
    callbackGrace: '15m',
    // Sparse on purpose: every ID+ result call is a billable transaction, and polling only
    // rescues a lost callback. After the schedule the workflow polls once a day.
    pollSchedule: '300,900,1800,3600,7200',
    // Socure publishes no DocV session lifetime; a day, like the other providers, until it does.
    expiresAfter: '1d',
    // No production default: Socure's callbacks carry a secret configured per account (legacy: a
    // static secret in Authorization; RiskOS: Basic or Bearer), which we cannot know.
  },
  readSettings: (env: EnvReader, apiBaseUrl: string): SocureSettings => {
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
      confirmVerdicts: env.boolean('SOCURE_CONFIRM_VERDICTS', isProduction(env)),
    };
  },
  createCallbackParser: (settings) =>
    createSocureCallbackParser({ confirmVerdicts: settings.confirmVerdicts ?? false }),
  createRetrievalClient: (settings) => createSocureRetrievalClient(settings),
});
