/**
 * Adversarial schedules on the real stack: fast-check draws, per run, a few verifications across
 * all five providers, each with the simulator's truth (what its API will say), scripted API errors, an
 * optional deadline racing the callbacks, and the provider's documented callbacks dropped,
 * duplicated, reordered (within and across verifications) and delayed, with the app's start at a
 * random place among them, and maybe a worker restart in the middle. Everything goes through the
 * real ingress to the real worker and dev server, with the simulators on loopback; a callback that
 * gets no 2xx is resent, as providers do.
 * Shared by test/integration/adversarial-schedules.test.ts (bounded) and `npm run chaos`.
 */
import { randomInt, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { KycClient } from '../../src/client';
import type { ConcedusSimulator } from '../../src/providers/concedus/testing/simulator';
import type { JumioDecisionType } from '../../src/providers/jumio/testing/simulator';
import type { SocureSimulator } from '../../src/providers/socure/testing/simulator';
import {
  unicoWebhookAuthSpec,
  unicoWebhookHeaders,
  type UnicoWebhookAuth,
  type UnicoWebhookResult,
} from '../../src/providers/unico/testing/simulator';
import { startAllSimulators, type AllSimulators } from '../../src/testing/simulators';
import { postJson, type CallbackDelivery } from '../../src/testing/callback-sender';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import type { DurableStack } from './durable-stack';
import { ATTESTR_TRUTH, CONCEDUS_TRUTH, JUMIO_TRUTH, SOCURE_TRUTH, UNICO_TRUTH, type Truth } from './provider-truths';
import { eventually } from './stack';

export type ScheduleProvider = 'jumio' | 'socure' | 'attestr' | 'unico' | 'concedus';
export const SCHEDULE_PROVIDERS: readonly ScheduleProvider[] = ['jumio', 'socure', 'attestr', 'unico', 'concedus'];

/** One verification of a schedule: the provider, what its API says, and how its callbacks travel. */
export interface VerificationPlan {
  provider: ScheduleProvider;
  /** The key of the provider's truth table (test/support/provider-truths.ts). */
  outcome: string;
  /** How the provider speaks for this verification: Socure's callback shape; Concedus's key kind and format. */
  variant?: string;
  /** API errors served before the real answers: 5xx, then 429 (with Retry-After). */
  serverErrors: number;
  rateLimited: number;
  /** The app's own deadline, this long after its start (only where the API's answer is already final). */
  deadlineMs?: number;
  /** Per documented callback: dropped, or sent this many times. */
  copies: number[];
}

export interface Schedule {
  verifications: VerificationPlan[];
  /** The order of every send (callback copies and the app's starts), as a permutation. */
  order: number[];
  /** Pause before each send. */
  delaysMs: number[];
  /** Restart the worker before this send (an index into `order`); absent: no restart. */
  workerRestartAt?: number;
}

const JUMIO_CALLBACKS = ['ACQUIRED', 'PROCESSED'];

const apiFaults = { serverErrors: fc.nat({ max: 2 }), rateLimited: fc.nat({ max: 1 }) };
/** A deadline racing the callbacks: only where the API's answer is final from the start, so its check finds it. */
const racingDeadline = fc.option(fc.integer({ min: 300, max: 4000 }), { nil: undefined });
/** Per callback: 0 (dropped), 1 or 2 copies; `min` 1 where a callback must not be lost. */
const copiesOf = (callbacks: number, min = 0) =>
  fc.array(fc.integer({ min, max: 2 }), { minLength: callbacks, maxLength: callbacks });

const jumioPlan = fc.record({
  provider: fc.constant('jumio' as const),
  outcome: fc.constantFrom(...Object.keys(JUMIO_TRUTH)),
  ...apiFaults,
  // The API's answer is final from the start, so a deadline (even before the callbacks) never expires it.
  deadlineMs: racingDeadline,
  copies: copiesOf(2),
});
const attestrPlan = fc.oneof(
  // A finished flow's result is in the API: its one callback may be lost (polling finds it) or race a deadline.
  fc.record({
    provider: fc.constant('attestr' as const),
    outcome: fc.constant('flowx.completed'),
    ...apiFaults,
    deadlineMs: racingDeadline,
    copies: copiesOf(1),
  }),
  // Errored or skipped: only the event says so (the API cannot), so it is delivered (maybe twice, maybe late).
  fc.record({
    provider: fc.constant('attestr' as const),
    outcome: fc.constantFrom('flowx.errored', 'flowx.skipped'),
    ...apiFaults,
    deadlineMs: fc.constant(undefined),
    copies: copiesOf(1, 1),
  }),
);
/**
 * Socure in each of its callback shapes (the seed's DocV events, the legacy DocV envelope, RiskOS
 * evaluation events): progress, progress, then the verdict. The API holds the decision from the
 * start, so any callback may be lost or race a deadline. Left out: SESSION_EXPIRED and
 * CONSENT_DECLINED, which Socure documents only as SDK statuses, and which only a callback could
 * tell (its API answers those transactions without a decision).
 */
const socurePlan = fc.record({
  provider: fc.constant('socure' as const),
  outcome: fc.constantFrom(...Object.keys(SOCURE_TRUTH)),
  variant: fc.constantFrom('docv', 'legacy', 'riskos'),
  ...apiFaults,
  deadlineMs: racingDeadline,
  copies: copiesOf(3),
});
/**
 * Unico notifies only PROCESS_STATE_FINISHED, at least once: one webhook per process, which only
 * announces (GetProcess decides). GetProcess holds the result from the start, so the webhook may
 * be lost or race a deadline. PROCESS_STATE_FAILED is left out: Unico does not notify it.
 */
const unicoPlan = fc.record({
  provider: fc.constant('unico' as const),
  outcome: fc.constantFrom(...Object.keys(UNICO_TRUTH)),
  ...apiFaults,
  deadlineMs: racingDeadline,
  copies: copiesOf(1),
});
const concedusPlan = fc.oneof(
  // A customer's or contract's compliance record, in the legacy or the topic format. The status
  // API has it from the start, so the callback may be lost or race a deadline.
  fc.record({
    provider: fc.constant('concedus' as const),
    outcome: fc.constant('complianceRecord:100'),
    variant: fc.constantFrom('customer/legacy', 'customer/topic', 'contract/legacy', 'contract/topic'),
    ...apiFaults,
    deadlineMs: racingDeadline,
    copies: copiesOf(1),
  }),
  // A person's ident: identRequestCreated and the KYC provider's identResult are progress only;
  // the person's status in the API decides (failure or abort), so either may be lost or race a
  // deadline. Ident 100, 101 and 110 are left out: they are not ends (a verified ident waits for
  // a compliance record), so there is no final truth to check.
  fc.record({
    provider: fc.constant('concedus' as const),
    outcome: fc.constantFrom('ident:0', 'ident:102'),
    variant: fc.constant('person'),
    ...apiFaults,
    deadlineMs: racingDeadline,
    copies: copiesOf(2),
  }),
);

/** Sends in a schedule: every callback copy, and one app start per verification. */
function sendCount(verifications: VerificationPlan[]): number {
  return verifications.reduce((n, plan) => n + plan.copies.reduce((a, b) => a + b, 0) + 1, 0);
}

export function scheduleArbitrary(maxVerifications: number): fc.Arbitrary<Schedule> {
  return fc
    .array(fc.oneof(jumioPlan, socurePlan, attestrPlan, unicoPlan, concedusPlan), {
      minLength: 1,
      maxLength: maxVerifications,
    })
    .chain((verifications) => {
      const sends = sendCount(verifications);
      const indexes = Array.from({ length: sends }, (_, i) => i);
      return fc.record({
        verifications: fc.constant(verifications as VerificationPlan[]),
        order: fc.shuffledSubarray(indexes, { minLength: sends, maxLength: sends }),
        delaysMs: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })), {
          minLength: sends,
          maxLength: sends,
        }),
        workerRestartAt: fc.option(fc.nat({ max: sends - 1 }), { nil: undefined, freq: 2 }),
      });
    });
}

export interface ScheduleTotals {
  schedules: number;
  verifications: number;
  perProvider: Record<ScheduleProvider, number>;
  /** HTTP attempts, resends included. */
  sent: number;
  /** Distinct callbacks that got a 2xx (every copy sent is resent until it does). */
  acknowledged: number;
  /** Distinct acknowledged callbacks counted exactly once in their verification's timeline. */
  appliedOnce: number;
  /** Acknowledged as `late` (the verification had already ended): kept as a late dead letter. */
  late: number;
  dropped: number;
  duplicated: number;
  workerRestarts: number;
  wrongVerdicts: number;
  lost: number;
  appliedTwice: number;
}

export function emptyTotals(): ScheduleTotals {
  return {
    schedules: 0,
    verifications: 0,
    perProvider: { jumio: 0, socure: 0, attestr: 0, unico: 0, concedus: 0 },
    sent: 0,
    acknowledged: 0,
    appliedOnce: 0,
    late: 0,
    dropped: 0,
    duplicated: 0,
    workerRestarts: 0,
    wrongVerdicts: 0,
    lost: 0,
    appliedTwice: 0,
  };
}

export function describeTotals(seed: number, totals: ScheduleTotals): string {
  const perProvider = SCHEDULE_PROVIDERS.map((provider) => `${provider} ${totals.perProvider[provider]}`).join(', ');
  return (
    `adversarial schedules (seed ${seed}): ${totals.schedules} schedules, ${totals.verifications} verifications ` +
    `(${perProvider}); callbacks dropped ${totals.dropped}, duplicated ${totals.duplicated}; ` +
    `worker restarts ${totals.workerRestarts}; sent ${totals.sent}, acknowledged ${totals.acknowledged}, ` +
    `applied once ${totals.appliedOnce}, answered late ${totals.late}; ` +
    `lost: ${totals.lost}, applied twice: ${totals.appliedTwice}, wrong verdicts: ${totals.wrongVerdicts}`
  );
}

/** Every provider's simulator on loopback, as the demo starts them. */
export type Simulators = AllSimulators;

/** How the simulated Unico account authenticates its webhooks (chosen at registration). */
const UNICO_WEBHOOK_AUTH: UnicoWebhookAuth = { kind: 'bearer', token: 'sim-unico-webhook-token' };

export const startSimulators = startAllSimulators;

export async function closeSimulators(sims: Simulators | undefined): Promise<void> {
  await sims?.close();
}

/** The stack's variables for the simulators: short grace and schedule, so a lost callback is polled for soon. */
export function scheduleVariables(sims: Simulators): Record<string, string> {
  const quickPolling = (prefix: string) => ({
    [`${prefix}_CALLBACK_GRACE`]: '2s',
    [`${prefix}_POLL_SCHEDULE`]: '2s,3s',
  });
  return {
    KYC_PROVIDERS: SCHEDULE_PROVIDERS.join(','),
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '2s',
    JUMIO_API_BASE_URL: sims.jumio.url,
    JUMIO_AUTH_URL: sims.jumio.authUrl,
    JUMIO_CLIENT_ID: sims.jumio.clientId,
    JUMIO_CLIENT_SECRET: sims.jumio.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    ...quickPolling('JUMIO'),
    SOCURE_API_BASE_URL: sims.socure.url,
    // The simulator serves every flavour: a verification whose callbacks are RiskOS's is asked there.
    SOCURE_RISKOS_API_BASE_URL: sims.socure.url,
    SOCURE_API_KEY: sims.socure.apiKey,
    SOCURE_WEBHOOK_AUTH: `bearer:${sims.socure.webhookSecret}`,
    ...quickPolling('SOCURE'),
    ATTESTR_API_BASE_URL: sims.attestr.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: sims.attestr.authToken,
    ATTESTR_CLIENT_SECRET: sims.attestr.clientSecret,
    ATTESTR_WEBHOOK_AUTH: `basic:${sims.attestr.webhookToken}`,
    ...quickPolling('ATTESTR'),
    UNICO_API_BASE_URL: sims.unico.url,
    UNICO_AUTH_URL: sims.unico.authUrl,
    UNICO_SERVICE_ACCOUNT: sims.unico.serviceAccount,
    UNICO_PRIVATE_KEY: sims.unicoPrivateKey,
    UNICO_WEBHOOK_AUTH: unicoWebhookAuthSpec(UNICO_WEBHOOK_AUTH),
    ...quickPolling('UNICO'),
    CONCEDUS_API_BASE_URL: sims.concedus.url,
    CONCEDUS_USERNAME: sims.concedus.username,
    CONCEDUS_PASSWORD: sims.concedus.password,
    CONCEDUS_WEBHOOK_AUTH: sims.concedus.webhookAuth,
    ...quickPolling('CONCEDUS'),
  };
}

interface Send {
  plan: number;
  /** The callback's index, or `start` for the app's start. */
  what: number | 'start';
}

/** One scripted verification: how the app starts it, its truth, and its documented callbacks in order. */
interface Scripted {
  start: { provider: ScheduleProvider; reference: string; context?: Record<string, string> };
  truth: Truth;
  /** Each callback with the providerStatus its verification's timeline records it under. */
  callbacks: { word: string; delivery: CallbackDelivery }[];
}

/**
 * Runs one schedule and checks it: every verification ends with the simulator's truth, and
 * every acknowledged callback is in its timeline exactly once (resends as duplicates), unless the
 * ingress answered that the verification had already ended. Throws with the problems found.
 */
export async function runSchedule(
  stack: DurableStack,
  sims: Simulators,
  schedule: Schedule,
  totals: ScheduleTotals,
  restartWorker: () => Promise<void>,
): Promise<void> {
  const kyc = new KycClient(stack.client, stack.config);
  const scripted = schedule.verifications.map((plan) => script(sims, plan));
  const sends: Send[] = schedule.verifications.flatMap((plan, i) => [
    { plan: i, what: 'start' as const },
    ...plan.copies.flatMap((copies, callback) => Array.from({ length: copies }, () => ({ plan: i, what: callback }))),
  ]);
  const answers = schedule.verifications.map((plan) => plan.copies.map(() => [] as string[]));
  for (const [n, index] of schedule.order.entries()) {
    await new Promise((r) => setTimeout(r, schedule.delaysMs[n] ?? 0));
    if (schedule.workerRestartAt === n) {
      await restartWorker();
      totals.workerRestarts += 1;
    }
    const send = sends[index]!;
    const plan = schedule.verifications[send.plan]!;
    const verification = scripted[send.plan]!;
    if (send.what === 'start') {
      const deadline = plan.deadlineMs === undefined ? {} : { expiresAt: new Date(Date.now() + plan.deadlineMs) };
      await kyc.startVerification({ ...verification.start, ...deadline });
      continue;
    }
    const delivery = verification.callbacks[send.what]!.delivery;
    const { attempts, answer } = await sendUntilAcknowledged(`${stack.ingressUrl}/webhooks/${plan.provider}`, delivery);
    totals.sent += attempts;
    answers[send.plan]![send.what]!.push(answer);
  }

  const problems: string[] = [];
  for (const [i, plan] of schedule.verifications.entries()) {
    const { start, truth, callbacks } = scripted[i]!;
    const what = `${plan.provider} ${plan.outcome}${plan.variant ? ` (${plan.variant})` : ''}`;
    totals.verifications += 1;
    totals.perProvider[plan.provider] += 1;
    totals.dropped += plan.copies.filter((copies) => copies === 0).length;
    totals.duplicated += plan.copies.filter((copies) => copies > 1).length;
    let state: VerificationState;
    try {
      state = await eventually(
        async () => {
          const current = await kyc.getVerification(plan.provider, start.reference);
          return isTerminal(current.status) ? current : undefined;
        },
        60_000,
        `${plan.provider} ${start.reference} to end`,
      );
    } catch {
      totals.wrongVerdicts += 1;
      problems.push(`${what}: never ended`);
      continue;
    }
    if (state.status !== truth.status || state.decision !== truth.decision) {
      totals.wrongVerdicts += 1;
      problems.push(
        `${what}: ${state.status}/${state.decision ?? '-'} instead of ${truth.status}/${truth.decision ?? '-'}`,
      );
    }
    for (const [callback, received] of answers[i]!.entries()) {
      if (received.length === 0) continue;
      totals.acknowledged += 1;
      const word = callbacks[callback]!.word;
      const counted = state.timeline.filter(
        (entry) => entry.source === 'callback' && entry.providerStatus === word && entry.outcome !== 'duplicate',
      ).length;
      // Answered `late` only when it found the verification closed: then it is not in the timeline.
      const acceptedOnce = received.some((answer) => answer !== 'late');
      if (!acceptedOnce) {
        totals.late += 1;
        if (counted !== 0) problems.push(`${what} ${word}: answered late, yet in the timeline`);
      } else if (counted === 1) totals.appliedOnce += 1;
      else if (counted === 0) {
        totals.lost += 1;
        problems.push(`${what} ${word}: acknowledged (${received.join(',')}), never applied`);
      } else {
        totals.appliedTwice += 1;
        problems.push(`${what} ${word}: counted ${counted} times`);
      }
    }
  }
  totals.schedules += 1;
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Provider timestamps a second apart, a minute ago, oldest first, so the documented order is unambiguous. */
function callbackTimes(count: number): Date[] {
  const first = Date.now() - 60_000;
  return Array.from({ length: count }, (_, n) => new Date(first + n * 1000));
}

/** Scripts the simulator's truth for one verification (under a fresh key) and builds its documented callbacks. */
function script(sims: Simulators, plan: VerificationPlan): Scripted {
  const faults = { serverError: plan.serverErrors, rateLimited: plan.rateLimited };
  const key = randomUUID();
  switch (plan.provider) {
    case 'jumio': {
      sims.jumio.script(key, {
        accountId: `acct-${key}`,
        status: 'PROCESSED',
        decision: { type: plan.outcome as JumioDecisionType },
        faults,
      });
      const at = callbackTimes(JUMIO_CALLBACKS.length);
      return {
        start: { provider: 'jumio', reference: key, context: { accountId: `acct-${key}` } },
        truth: JUMIO_TRUTH[plan.outcome]!,
        callbacks: JUMIO_CALLBACKS.map((status, n) => ({
          word: status,
          delivery: { body: sims.jumio.callback(key, status, at[n]) },
        })),
      };
    }
    case 'attestr':
      // A completed flow's result is in the API; an errored or skipped one is still "consumed" there.
      sims.attestr.script(key, {
        kind: 'flowx',
        state: plan.outcome === 'flowx.completed' ? 'result' : 'consumed',
        faults,
      });
      return {
        start: { provider: 'attestr', reference: key },
        truth: ATTESTR_TRUTH[plan.outcome]!,
        callbacks: [
          {
            word: plan.outcome,
            delivery: { body: sims.attestr.flowxCallback(key, plan.outcome), headers: sims.attestr.webhookHeaders() },
          },
        ],
      };
    case 'socure':
      sims.socure.script(key, { decision: plan.outcome, faults });
      return {
        start: { provider: 'socure', reference: key },
        truth: SOCURE_TRUTH[plan.outcome]!,
        callbacks: socureCallbacksFor(sims.socure, key, plan),
      };
    case 'unico':
      sims.unico.script(key, {
        state: 'PROCESS_STATE_FINISHED',
        result: UNICO_TRUTH[plan.outcome]!.processResult,
        faults,
      });
      return {
        start: { provider: 'unico', reference: key },
        truth: UNICO_TRUTH[plan.outcome]!,
        callbacks: [
          {
            // The state event is what counts; an expired process's webhook also carries its lastEvent.
            word: `PROCESS_STATE_FINISHED/${plan.outcome}`,
            delivery: {
              body: sims.unico.finished(key, plan.outcome as UnicoWebhookResult),
              headers: unicoWebhookHeaders(UNICO_WEBHOOK_AUTH),
            },
          },
        ],
      };
    case 'concedus':
      return concedusScript(sims.concedus, key, plan, faults);
  }
}

/** Socure's progress, progress and verdict, in the plan's callback shape. */
function socureCallbacksFor(sim: SocureSimulator, key: string, plan: VerificationPlan): Scripted['callbacks'] {
  const [opened, uploaded, completed] = callbackTimes(3);
  const headers = sim.callbackHeaders();
  const decision = plan.outcome;
  if (plan.variant === 'riskos') {
    const verdict = decision.toUpperCase();
    return [
      { word: 'evaluation_paused', body: sim.callbacks.riskos(key, 'evaluation_paused', { at: opened }) },
      { word: 'evaluation_resumed', body: sim.callbacks.riskos(key, 'evaluation_resumed', { at: uploaded }) },
      {
        word: `evaluation_completed/${verdict}`,
        body: sim.callbacks.riskos(key, 'evaluation_completed', { at: completed, decision: verdict }),
      },
    ].map(({ word, body }) => ({ word, delivery: { body, headers } }));
  }
  const shape = plan.variant === 'legacy' ? sim.callbacks.legacy : sim.callbacks.docv;
  return [
    { word: 'APP_OPENED', body: shape(key, 'APP_OPENED', { at: opened }) },
    { word: 'DOCUMENTS_UPLOADED', body: shape(key, 'DOCUMENTS_UPLOADED', { at: uploaded }) },
    {
      word: `VERIFICATION_COMPLETED/${decision}`,
      body: shape(key, 'VERIFICATION_COMPLETED', { at: completed, decision }),
    },
  ].map(({ word, body }) => ({ word, delivery: { body, headers } }));
}

/** Concedus: a customer's or contract's compliance record, or a person's ident topics (each callback an array). */
function concedusScript(
  sim: ConcedusSimulator,
  key: string,
  plan: VerificationPlan,
  faults: { serverError: number; rateLimited: number },
): Scripted {
  const truth = CONCEDUS_TRUTH[plan.outcome]!;
  const headers = sim.callbackHeaders;
  if (plan.variant === 'person') {
    const personKey = `PERS_${key}`;
    const identId = String(randomInt(100_000_000, 999_999_999));
    sim.script('person', personKey, { status: Number(plan.outcome.split(':')[1]), faults });
    return {
      start: { provider: 'concedus', reference: `person:${personKey}` },
      truth,
      callbacks: [
        { word: 'identRequestCreated', delivery: { body: [sim.identRequestCreated(personKey, identId)], headers } },
        // The KYC provider's ident succeeded; Concedus's own check of the person still decides.
        { word: 'identResult:success', delivery: { body: [sim.identResult(personKey, identId)], headers } },
      ],
    };
  }
  const [kind, format] = (plan.variant ?? 'customer/legacy').split('/') as ['customer' | 'contract', string];
  sim.script(kind, key, { status: 100, faults });
  const record = sim.complianceRecord(
    kind === 'customer' ? { customerKey: key } : { contractKey: key },
    100,
    callbackTimes(1)[0],
  );
  return {
    start: { provider: 'concedus', reference: kind === 'customer' ? key : `contract:${key}` },
    truth,
    callbacks: [
      {
        word: 'complianceRecord:100',
        delivery: { body: format === 'topic' ? [sim.complianceTopic(record)] : [record], headers },
      },
    ],
  };
}

/** Resends until a 2xx, as providers do; says whether the ingress found the verification closed. */
async function sendUntilAcknowledged(
  url: string,
  delivery: { body: unknown; headers?: Record<string, string> },
): Promise<{ attempts: number; answer: 'accepted' | 'late' }> {
  const deadline = Date.now() + 60_000;
  for (let attempts = 1; ; attempts++) {
    const response = await postJson(url, delivery.body, delivery.headers).catch(() => ({ status: 0, body: undefined }));
    if (response.status >= 200 && response.status < 300) {
      const late = (response.body as { late?: number } | undefined)?.late ?? 0;
      return { attempts, answer: late > 0 ? 'late' : 'accepted' };
    }
    if (Date.now() > deadline) throw new Error(`no 2xx from ${url} in a minute (last ${response.status})`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
