/**
 * The demo's verifications: every provider's simulator on loopback, and per provider a handful
 * of verifications whose callbacks misbehave the way real ones do (a duplicate, a reordered
 * pair, a final callback that never comes, a user who never finishes). Each knows its expected
 * outcome, so the demo (and its smoke test) can tell that the orchestrator got it right.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { KycClient, StartVerificationRequest } from '../../src/client';
import { socureCallbacks } from '../../src/providers/socure/testing/simulator';
import { unicoWebhookAuthSpec, unicoWebhookHeaders } from '../../src/providers/unico/testing/simulator';
import { startAllSimulators } from '../../src/testing/simulators';
import { sendCallbacks, type CallbackDelivery, type DeliveryPlan } from '../../src/testing/callback-sender';
import type { Decision, Status } from '../../src/verification/model';
import { type ProviderId } from '../../src/providers/registry';

export interface Scenario {
  provider: ProviderId;
  reference: string;
  /** What happens to its callbacks, in a few words. */
  story: string;
  expected: { status: Status; decision?: Decision };
  /** Starts the verification and sends its callbacks (or not). */
  run(kyc: KycClient, ingressUrl: string): Promise<void>;
}

export interface DemoSimulators {
  /** The variables that point every provider at its simulator, with the demo's short timings. */
  env: Record<string, string>;
  scenarios: Scenario[];
  close(): Promise<void>;
}

/** Short enough for a demo, long enough for a loaded laptop: polling 2 s after the last callback. */
const TIMINGS = { CALLBACK_GRACE: '2s', POLL_SCHEDULE: '1,1,2,2,3', EXPIRES_AFTER: '1h', REVIEW_WINDOW: '5s' };
/** The lifetime of the verifications that are left to expire. */
const EXPIRES_IN_MS = 12_000;

function timings(prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(TIMINGS).map(([name, value]) => [`${prefix}_${name}`, value]));
}

/** Readable, unique per run (a rerun on the same data file must not meet its earlier verifications). */
function reference(story: string): string {
  return `demo-${story}-${randomBytes(4).toString('hex')}`;
}

/** Provider timestamps a second apart, oldest first, so "reordered" is unambiguous. */
function times(count: number): Date[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => new Date(now - (count - i) * 1000));
}

/** The user never gets far enough for the provider to call back. */
const noCallbacks = (): Promise<void> => Promise.resolve();

function expiring(): Pick<StartVerificationRequest, 'expiresAt'> {
  return { expiresAt: new Date(Date.now() + EXPIRES_IN_MS) };
}

async function deliver(
  url: string,
  bodies: unknown[],
  headers: Record<string, string>,
  plan: DeliveryPlan = {},
): Promise<void> {
  const deliveries: CallbackDelivery[] = bodies.map((body) => ({ body, headers }));
  const results = await sendCallbacks(url, deliveries, plan);
  const refused = results.find((result) => result.status >= 300);
  if (refused) throw new Error(`the ingress answered ${refused.status} to a demo callback`);
}

export async function startDemoSimulators(): Promise<DemoSimulators> {
  const sims = await startAllSimulators();
  const { jumio, socure, attestr, unico, concedus } = sims;
  const unicoAuth = { kind: 'apiKey', key: `X-API-Key:${randomBytes(16).toString('hex')}` } as const;

  const env: Record<string, string> = {
    KYC_PROVIDERS: 'jumio,socure,attestr,unico,concedus',
    KYC_PROVIDER_RETRY_INITIAL: '500ms',
    KYC_PROVIDER_RETRY_MAX: '2s',
    JUMIO_API_BASE_URL: jumio.url,
    JUMIO_AUTH_URL: jumio.authUrl,
    JUMIO_CLIENT_ID: jumio.clientId,
    JUMIO_CLIENT_SECRET: jumio.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    ...timings('JUMIO'),
    SOCURE_API_BASE_URL: socure.url,
    SOCURE_API_KEY: socure.apiKey,
    // A RiskOS evaluation (the review-then-accept story) is asked on RiskOS's host: the same simulator.
    SOCURE_RISKOS_API_BASE_URL: socure.url,
    SOCURE_WEBHOOK_AUTH: `bearer:${socure.webhookSecret}`,
    ...timings('SOCURE'),
    ATTESTR_API_BASE_URL: attestr.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: attestr.authToken,
    ATTESTR_CLIENT_SECRET: attestr.clientSecret,
    ATTESTR_WEBHOOK_AUTH: `basic:${attestr.webhookToken}`,
    ...timings('ATTESTR'),
    UNICO_API_BASE_URL: unico.url,
    UNICO_AUTH_URL: unico.authUrl,
    UNICO_SERVICE_ACCOUNT: unico.serviceAccount,
    UNICO_PRIVATE_KEY: sims.unicoPrivateKey,
    UNICO_WEBHOOK_AUTH: unicoWebhookAuthSpec(unicoAuth),
    ...timings('UNICO'),
    CONCEDUS_API_BASE_URL: concedus.url,
    CONCEDUS_USERNAME: concedus.username,
    CONCEDUS_PASSWORD: concedus.password,
    CONCEDUS_WEBHOOK_AUTH: concedus.webhookAuth,
    ...timings('CONCEDUS'),
  };

  const hook = (ingressUrl: string, provider: ProviderId) => `${ingressUrl}/webhooks/${provider}`;
  const scenarios: Scenario[] = [];
  const add = (scenario: Scenario) => void scenarios.push(scenario);

  // --- Jumio: callbacks only announce; the verdict is always retrieved (its account ID is required).
  const jumioStart = async (
    kyc: KycClient,
    id: string,
    accountId: string,
    extra: Partial<StartVerificationRequest> = {},
  ) => kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId }, ...extra });
  const jumioCase = (
    story: string,
    decision: 'PASSED' | 'WARNING' | 'REJECTED' | undefined,
    expected: Scenario['expected'],
    send: (id: string, url: string) => Promise<void>,
    extra: () => Partial<StartVerificationRequest> = () => ({}),
  ) => {
    const id = reference(story);
    const accountId = `acc-${randomBytes(4).toString('hex')}`;
    jumio.script(
      id,
      decision
        ? { accountId, status: 'PROCESSED', decision: { type: decision } }
        : { accountId, status: 'ACQUISITION_STARTED' },
    );
    add({
      provider: 'jumio',
      reference: id,
      story,
      expected,
      run: async (kyc, ingressUrl) => {
        await jumioStart(kyc, id, accountId, extra());
        await send(id, hook(ingressUrl, 'jumio'));
      },
    });
  };
  const jumioCallbacks = (id: string, ...statuses: string[]) => {
    const at = times(statuses.length);
    return statuses.map((status, i) => jumio.callback(id, status, at[i]));
  };
  jumioCase('in-order', 'PASSED', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, jumioCallbacks(id, 'INITIATED', 'ACQUIRED', 'PROCESSED'), {}),
  );
  jumioCase('duplicate', 'WARNING', { status: 'COMPLETED', decision: 'REVIEW' }, (id, url) =>
    deliver(url, jumioCallbacks(id, 'ACQUIRED', 'PROCESSED'), {}, { duplicate: [1] }),
  );
  jumioCase('reordered', 'REJECTED', { status: 'COMPLETED', decision: 'REJECTED' }, (id, url) =>
    deliver(url, jumioCallbacks(id, 'ACQUIRED', 'PROCESSED'), {}, { order: [1, 0] }),
  );
  jumioCase('final-dropped', 'PASSED', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, jumioCallbacks(id, 'ACQUIRED', 'PROCESSED'), {}, { drop: [1] }),
  );
  jumioCase(
    'expires',
    undefined,
    { status: 'EXPIRED' },
    (id, url) => deliver(url, jumioCallbacks(id, 'INITIATED'), {}),
    expiring,
  );

  // --- Socure DocV: the verdict comes in the callback; the ID+ API confirms a lost one.
  const socureCase = (
    story: string,
    decision: string | undefined,
    expected: Scenario['expected'],
    send: (id: string, url: string) => Promise<void>,
    extra: () => Partial<StartVerificationRequest> = () => ({}),
  ) => {
    const id = reference(story);
    socure.script(id, decision ? { decision } : {});
    add({
      provider: 'socure',
      reference: id,
      story,
      expected,
      run: async (kyc, ingressUrl) => {
        await kyc.startVerification({ provider: 'socure', reference: id, ...extra() });
        await send(id, hook(ingressUrl, 'socure'));
      },
    });
  };
  const socureSteps = (id: string, decision: string) => {
    const [t0, t1, t2] = times(3);
    return [
      socureCallbacks.docv(id, 'APP_OPENED', { at: t0 }),
      socureCallbacks.docv(id, 'DOCUMENTS_UPLOADED', { at: t1 }),
      socureCallbacks.docv(id, 'VERIFICATION_COMPLETED', { at: t2, decision }),
    ];
  };
  const socureHeaders = socure.callbackHeaders();
  socureCase('in-order', 'accept', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, socureSteps(id, 'accept'), socureHeaders),
  );
  socureCase('duplicate', 'reject', { status: 'COMPLETED', decision: 'REJECTED' }, (id, url) =>
    deliver(url, socureSteps(id, 'reject'), socureHeaders, { duplicate: [2] }),
  );
  socureCase('reordered', 'review', { status: 'COMPLETED', decision: 'REVIEW' }, (id, url) =>
    deliver(url, socureSteps(id, 'review'), socureHeaders, { order: [2, 1, 0] }),
  );
  socureCase('final-dropped', 'accept', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, socureSteps(id, 'accept'), socureHeaders, { drop: [2] }),
  );
  // RiskOS: REVIEW on an open case is provisional (the verification stays open); the reviewer decides.
  socureCase('riskos-review-then-accept', 'accept', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) => {
    const [t0, t1] = times(2);
    return deliver(
      url,
      [
        socureCallbacks.riskos(id, 'evaluation_completed', { at: t0, decision: 'REVIEW', status: 'OPEN' }),
        socureCallbacks.decisionUpdate(id, 'ACCEPT', { at: t1, status: 'CLOSED' }),
      ],
      socureHeaders,
    );
  });
  socureCase(
    'expires',
    undefined,
    { status: 'EXPIRED' },
    (id, url) => deliver(url, [socureCallbacks.docv(id, 'APP_OPENED')], socureHeaders),
    expiring,
  );

  // --- Attestr: reports data, not a verdict (COMPLETED without a decision); results are signed.
  const attestrCase = (
    story: string,
    state: 'unconsumed' | 'consumed' | 'result',
    expected: Scenario['expected'],
    send: (id: string, url: string) => Promise<void>,
    extra: () => Partial<StartVerificationRequest> = () => ({}),
  ) => {
    const id = reference(story);
    attestr.script(id, { kind: 'flowx', state });
    add({
      provider: 'attestr',
      reference: id,
      story,
      expected,
      run: async (kyc, ingressUrl) => {
        await kyc.startVerification({ provider: 'attestr', reference: id, ...extra() });
        await send(id, hook(ingressUrl, 'attestr'));
      },
    });
  };
  const attestrHeaders = attestr.webhookHeaders();
  attestrCase('in-order', 'result', { status: 'COMPLETED' }, (id, url) =>
    deliver(url, [attestr.flowxCallback(id, 'flowx.completed')], attestrHeaders),
  );
  attestrCase('duplicate', 'result', { status: 'COMPLETED' }, (id, url) =>
    deliver(url, [attestr.flowxCallback(id, 'flowx.completed')], attestrHeaders, { duplicate: [0] }),
  );
  attestrCase('errored', 'consumed', { status: 'FAILED' }, (id, url) =>
    deliver(url, [attestr.flowxCallback(id, 'flowx.errored')], attestrHeaders),
  );
  attestrCase('final-dropped', 'result', { status: 'COMPLETED' }, (id, url) =>
    deliver(url, [attestr.flowxCallback(id, 'flowx.completed')], attestrHeaders, { drop: [0] }),
  );
  attestrCase('expires', 'unconsumed', { status: 'EXPIRED' }, noCallbacks, expiring);
  // A poll finds the result first (provisional: which outcome is unclear); the late-ish flowx.errored names it.
  attestrCase('poll-then-errored', 'result', { status: 'FAILED' }, async (id, url) => {
    await delay(4000);
    await deliver(url, [attestr.flowxCallback(id, 'flowx.errored')], attestrHeaders);
  });

  // --- Unico: FINISHED only announces; GetProcess (state first, then result) decides.
  const unicoCase = (
    story: string,
    result: 'PROCESS_RESULT_OK' | 'PROCESS_RESULT_INVALID_IDENTITY' | undefined,
    expected: Scenario['expected'],
    send: (id: string, url: string) => Promise<void>,
    extra: () => Partial<StartVerificationRequest> = () => ({}),
  ) => {
    const id = reference(story);
    unico.script(id, result ? { state: 'PROCESS_STATE_FINISHED', result } : { state: 'PROCESS_STATE_CREATED' });
    add({
      provider: 'unico',
      reference: id,
      story,
      expected,
      run: async (kyc, ingressUrl) => {
        await kyc.startVerification({ provider: 'unico', reference: id, ...extra() });
        await send(id, hook(ingressUrl, 'unico'));
      },
    });
  };
  const unicoHeaders = unicoWebhookHeaders(unicoAuth);
  const unicoPair = (id: string, result: 'ok' | 'invalid_identity') => [
    unico.callback(id, { state: 'PROCESS_STATE_CREATED', flow: 'id', lastEvent: 'EVENT_TYPE_QR_CODE_READ' }),
    unico.finished(id, result),
  ];
  unicoCase('in-order', 'PROCESS_RESULT_OK', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, unicoPair(id, 'ok'), unicoHeaders),
  );
  unicoCase('duplicate', 'PROCESS_RESULT_INVALID_IDENTITY', { status: 'COMPLETED', decision: 'REJECTED' }, (id, url) =>
    deliver(url, unicoPair(id, 'invalid_identity'), unicoHeaders, { duplicate: [1] }),
  );
  unicoCase('reordered', 'PROCESS_RESULT_OK', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, unicoPair(id, 'ok'), unicoHeaders, { order: [1, 0] }),
  );
  unicoCase('final-dropped', 'PROCESS_RESULT_OK', { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, unicoPair(id, 'ok'), unicoHeaders, { drop: [1] }),
  );
  unicoCase('expires', undefined, { status: 'EXPIRED' }, noCallbacks, expiring);

  // --- Concedus: compliance decides; an ident success alone never approves.
  const concedusCase = (
    story: string,
    kind: 'customer' | 'person',
    status: number,
    expected: Scenario['expected'],
    send: (id: string, url: string) => Promise<void>,
    extra: () => Partial<StartVerificationRequest> = () => ({}),
  ) => {
    const id = kind === 'person' ? `PERS_${reference(story)}` : reference(story);
    concedus.script(kind, id, { status });
    add({
      provider: 'concedus',
      reference: id,
      story,
      expected,
      run: async (kyc, ingressUrl) => {
        await kyc.startVerification({ provider: 'concedus', reference: id, context: { keyKind: kind }, ...extra() });
        await send(id, hook(ingressUrl, 'concedus'));
      },
    });
  };
  const concedusHeaders = concedus.callbackHeaders;
  const identId = () => String(randomInt(100_000_000, 999_999_999));
  concedusCase('in-order', 'customer', 100, { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, [[concedus.complianceRecord({ customerKey: id })]], concedusHeaders),
  );
  concedusCase('duplicate', 'customer', 100, { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, [[concedus.complianceRecord({ customerKey: id })]], concedusHeaders, { duplicate: [0] }),
  );
  // A person's successful ident is progress, never an approval: Concedus's own check decides (here it fails).
  // Only callbacks, no app start: the first callback starts the verification, under the person's key.
  {
    const key = `PERS_${reference('ident-failed')}`;
    concedus.script('person', key, { status: 0 });
    add({
      provider: 'concedus',
      reference: `person:${key}`,
      story: 'ident-failed',
      expected: { status: 'FAILED' },
      run: (_kyc, ingressUrl) => {
        const ident = identId();
        const bodies = [[concedus.identRequestCreated(key, ident)], [concedus.identResult(key, ident)]];
        return deliver(hook(ingressUrl, 'concedus'), bodies, concedusHeaders);
      },
    });
  }
  concedusCase('final-dropped', 'customer', 100, { status: 'COMPLETED', decision: 'APPROVED' }, (id, url) =>
    deliver(url, [[concedus.complianceRecord({ customerKey: id })]], concedusHeaders, { drop: [0] }),
  );
  concedusCase('expires', 'person', 101, { status: 'EXPIRED' }, noCallbacks, expiring);

  return {
    env,
    scenarios,
    close: async () => {
      await sims.close();
    },
  };
}
