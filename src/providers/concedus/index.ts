import { isProduction } from '../common';
import { defineProvider } from '../module';
import { createConcedusCallbackParser } from './callback';
import { createConcedusRetrievalClient, type ConcedusSettings } from './retrieval';
import { parseStatusMap } from './vocabulary';

/**
 * Concedus (docs.concedus.com): compliance records for customers and contracts, ident results for
 * persons. How its callbacks are authenticated is not documented, so `CONCEDUS_WEBHOOK_AUTH` has
 * no production default: agree a scheme with Concedus (an IP allowlist, or credentials in the
 * callback URL or a header) and configure it.
 */
export const concedus = defineProvider<ConcedusSettings>({
  id: 'concedus',
  displayName: 'Concedus',
  defaults: {
    // Assumed production host: the docs only show the sandbox, https://demo2.api.concedus.com.
    apiBaseUrl: 'https://api.concedus.com',
    // A compliance record follows the ident "after some minutes"; the ident itself waits on a person.
    callbackGrace: '30m',
    // Concedus publishes no polling interval: 5 m, 15 m, 30 m, 1 h, 2 h, 4 h, 8 h, then daily.
    pollSchedule: '300,900,1800,3600,7200,14400,28800',
    // A person may take days to do the video ident; Concedus states no lifetime of its own.
    expiresAfter: '7d',
  },
  readSettings: (env, apiBaseUrl) => ({
    apiBaseUrl,
    username: env.devString('CONCEDUS_USERNAME', ''),
    password: env.devString('CONCEDUS_PASSWORD', ''),
    vocabulary: parseStatusMap('CONCEDUS_STATUS_MAP', env.string('CONCEDUS_STATUS_MAP', '')),
    // Concedus's callbacks carry no documented authentication beyond what is agreed per
    // integrator, so in production a compliance verdict is confirmed through the status API.
    confirmVerdicts: env.boolean('CONCEDUS_CONFIRM_VERDICTS', isProduction(env)),
  }),
  createCallbackParser: (settings) =>
    createConcedusCallbackParser(settings.vocabulary, { confirmVerdicts: settings.confirmVerdicts }),
  createRetrievalClient: (settings) => createConcedusRetrievalClient(settings),
});
