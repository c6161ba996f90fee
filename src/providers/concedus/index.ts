import { defineProvider } from '../module';
import { createConcedusCallbackParser } from './callback';
import { CONCEDUS_MAPPING } from './mapping';
import { appStartsConcedusReference, canonicalConcedusReference } from './records';
import { createConcedusRetrievalClient, type ConcedusSettings } from './retrieval';
import { parseStatusMap } from './vocabulary';

/**
 * Concedus (docs.concedus.com): compliance records for customers and contracts, ident results for
 * persons. How its callbacks are authenticated is not documented, so `CONCEDUS_WEBHOOK_AUTH` has
 * no production default: agree a scheme with Concedus (an IP allowlist, or credentials in the
 * callback URL or a header) and configure it.
 */
export const concedus = defineProvider({
  id: 'concedus',
  displayName: 'Concedus',
  reference: {
    description:
      'the customer key; `contract:<key>`, `person:<key>` or `ident:<id>` for the other kinds (or the plain key with context keyKind)',
    example: 'CUST_4711',
  },
  // A plain key started with `keyKind: contract` is the verification the contract's callbacks reach.
  canonicalReference: canonicalConcedusReference,
  // A person's or ident's verification cannot end on its own: its callbacks never start one.
  appStartsOnly: appStartsConcedusReference,
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
  webhookAuth: {
    kinds: ['ip', 'basic', 'bearer', 'header'],
    note: 'not documented: agree a scheme with Concedus (an IP allowlist, or credentials in the callback URL or a header)',
  },
  retriesCallbacks: true,
  variables: [
    {
      name: 'CONCEDUS_USERNAME',
      example: '',
      description: "the API's username, the login for its 4-minute access token",
      requiredInProduction: true,
    },
    {
      name: 'CONCEDUS_PASSWORD',
      example: '',
      description: "the API's password",
      requiredInProduction: true,
      secret: true,
    },
    {
      name: 'CONCEDUS_STATUS_MAP',
      example: '',
      description: 'extra status codes: kind:code=STATUS[/DECISION],… e.g. complianceRecord:200=COMPLETED/REJECTED',
    },
    {
      name: 'CONCEDUS_CONFIRM_VERDICTS',
      example: '',
      description:
        'a compliance verdict in a callback is confirmed through the status API before it ends a verification, and an ident end mapped by CONCEDUS_STATUS_MAP is a claim the API must confirm; default: true when NODE_ENV=production, false otherwise',
    },
  ],
  readSettings: (env, { apiBaseUrl, production }): ConcedusSettings => ({
    apiBaseUrl,
    username: env.devString('CONCEDUS_USERNAME', ''),
    password: env.devString('CONCEDUS_PASSWORD', ''),
    vocabulary: parseStatusMap('CONCEDUS_STATUS_MAP', env.string('CONCEDUS_STATUS_MAP', '')),
    // Concedus's callbacks carry no documented authentication beyond what is agreed per
    // integrator, so in production a compliance verdict is confirmed through the status API.
    confirmVerdicts: env.boolean('CONCEDUS_CONFIRM_VERDICTS', production),
  }),
  createCallbackParser: (settings) =>
    createConcedusCallbackParser(settings.vocabulary, { confirmVerdicts: settings.confirmVerdicts }),
  createRetrievalClient: (settings) => createConcedusRetrievalClient(settings),
  vocabulary: CONCEDUS_MAPPING,
});
