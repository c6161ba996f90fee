import { ConfigError, type EnvReader } from '../../config/env-reader';
import { defineProvider } from '../module';
import { createSocureCallbackParser } from './callback';
import { createSocureRetrievalClient, SOCURE_RESULT_APIS, type SocureSettings } from './retrieval';

/** Socure's legacy ID+ host, which serves `/api/3.0/EmailAuthScore` (login.gov's socure_idplus_base_url). */
export const SOCURE_IDPLUS_BASE_URL = 'https://service.socure.com';

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
    return { apiBaseUrl, resultApi, apiKey: env.devString('SOCURE_API_KEY', '') };
  },
  createCallbackParser: () => createSocureCallbackParser(),
  createRetrievalClient: (settings) => createSocureRetrievalClient(settings),
});
