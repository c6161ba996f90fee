/**
 * Adversarial schedules on the real stack: fast-check draws, per run, a few verifications across
 * providers, each with the simulator's truth (what its API will say), scripted API errors, an
 * optional deadline racing the callbacks, and the provider's documented callbacks dropped,
 * duplicated, reordered (within and across verifications) and delayed, with the app's start at a
 * random place among them, and maybe a worker restart in the middle. Everything goes through the
 * real ingress to the real worker and dev server, with the simulators on loopback; a callback that
 * gets no 2xx is resent, as providers do.
 * Shared by test/integration/adversarial-schedules.test.ts (bounded) and `npm run chaos`.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { KycClient } from '../../src/client';
import type { AttestrSimulator } from '../../src/providers/attestr/simulator';
import type { JumioDecisionType, JumioSimulator } from '../../src/providers/jumio/simulator';
import { postJson } from '../../src/simulators/callback-sender';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import type { DurableStack } from './durable-stack';
import { eventually } from './stack';

/** One verification of a schedule: the provider, what its API says, and how its callbacks travel. */
export interface VerificationPlan {
  provider: 'jumio' | 'attestr';
  /** Jumio's decision, or Attestr's final event. */
  outcome: string;
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

const JUMIO_TRUTH: Record<string, { status: string; decision: string }> = {
  PASSED: { status: 'COMPLETED', decision: 'APPROVED' },
  REJECTED: { status: 'COMPLETED', decision: 'REJECTED' },
  WARNING: { status: 'COMPLETED', decision: 'REVIEW' },
};
/** Attestr's events carry no decision. Its API tells a finished flow's result, not how it ended. */
const ATTESTR_TRUTH: Record<string, { status: string; decision?: string }> = {
  'flowx.completed': { status: 'COMPLETED' },
  'flowx.errored': { status: 'FAILED' },
  'flowx.skipped': { status: 'ABANDONED' },
};
const JUMIO_CALLBACKS = ['ACQUIRED', 'PROCESSED'];

const jumioPlan = fc.record({
  provider: fc.constant('jumio' as const),
  outcome: fc.constantFrom(...Object.keys(JUMIO_TRUTH)),
  serverErrors: fc.nat({ max: 2 }),
  rateLimited: fc.nat({ max: 1 }),
  // The API's answer is final from the start, so a deadline (even before the callbacks) never expires it.
  deadlineMs: fc.option(fc.integer({ min: 300, max: 4000 }), { nil: undefined }),
  copies: fc.array(fc.nat({ max: 2 }), { minLength: 2, maxLength: 2 }),
});
const attestrPlan = fc.oneof(
  // A finished flow's result is in the API: its one callback may be lost (polling finds it) or race a deadline.
  fc.record({
    provider: fc.constant('attestr' as const),
    outcome: fc.constant('flowx.completed'),
    serverErrors: fc.nat({ max: 2 }),
    rateLimited: fc.nat({ max: 1 }),
    deadlineMs: fc.option(fc.integer({ min: 300, max: 4000 }), { nil: undefined }),
    copies: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 1 }),
  }),
  // Errored or skipped: only the event says so (the API cannot), so it is delivered (maybe twice, maybe late).
  fc.record({
    provider: fc.constant('attestr' as const),
    outcome: fc.constantFrom('flowx.errored', 'flowx.skipped'),
    serverErrors: fc.nat({ max: 2 }),
    rateLimited: fc.nat({ max: 1 }),
    deadlineMs: fc.constant(undefined),
    copies: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 1 }),
  }),
);

/** Sends in a schedule: every callback copy, and one app start per verification. */
function sendCount(verifications: VerificationPlan[]): number {
  return verifications.reduce((n, plan) => n + plan.copies.reduce((a, b) => a + b, 0) + 1, 0);
}

export function scheduleArbitrary(maxVerifications: number): fc.Arbitrary<Schedule> {
  return fc
    .array(fc.oneof(jumioPlan, attestrPlan), { minLength: 1, maxLength: maxVerifications })
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
  return (
    `adversarial schedules (seed ${seed}): ${totals.schedules} schedules, ${totals.verifications} verifications; ` +
    `callbacks dropped ${totals.dropped}, duplicated ${totals.duplicated}; worker restarts ${totals.workerRestarts}; sent ${totals.sent}, ` +
    `acknowledged ${totals.acknowledged}, applied once ${totals.appliedOnce}, answered late ${totals.late}; ` +
    `lost: ${totals.lost}, applied twice: ${totals.appliedTwice}, wrong verdicts: ${totals.wrongVerdicts}`
  );
}

export interface Simulators {
  jumio: JumioSimulator;
  attestr: AttestrSimulator;
}

/** The stack's variables for the simulators: short grace and schedule, so a lost callback is polled for soon. */
export function scheduleVariables(sims: Simulators): Record<string, string> {
  return {
    KYC_PROVIDERS: 'jumio,attestr',
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '2s',
    JUMIO_API_BASE_URL: sims.jumio.url,
    JUMIO_AUTH_URL: sims.jumio.authUrl,
    JUMIO_CLIENT_ID: sims.jumio.clientId,
    JUMIO_CLIENT_SECRET: sims.jumio.clientSecret,
    JUMIO_WEBHOOK_AUTH: 'ip:127.0.0.1,::1',
    JUMIO_CALLBACK_GRACE: '2s',
    JUMIO_POLL_SCHEDULE: '2s,3s',
    ATTESTR_API_BASE_URL: sims.attestr.apiBaseUrl,
    ATTESTR_AUTH_TOKEN: sims.attestr.authToken,
    ATTESTR_CLIENT_SECRET: sims.attestr.clientSecret,
    ATTESTR_WEBHOOK_AUTH: `basic:${sims.attestr.webhookToken}`,
    ATTESTR_CALLBACK_GRACE: '2s',
    ATTESTR_POLL_SCHEDULE: '2s,3s',
  };
}

interface Send {
  plan: number;
  /** The callback's index, or `start` for the app's start. */
  what: number | 'start';
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
  const references = schedule.verifications.map(() => randomUUID());
  const bodies = schedule.verifications.map((plan, i) => script(sims, plan, references[i]!));
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
    const reference = references[send.plan]!;
    if (send.what === 'start') {
      const deadline = plan.deadlineMs === undefined ? {} : { expiresAt: new Date(Date.now() + plan.deadlineMs) };
      await kyc.startVerification({
        provider: plan.provider,
        reference,
        ...deadline,
        ...(plan.provider === 'jumio' ? { context: { accountId: `acct-${reference}` } } : {}),
      });
      continue;
    }
    const delivery = bodies[send.plan]![send.what]!;
    const { attempts, answer } = await sendUntilAcknowledged(`${stack.ingressUrl}/webhooks/${plan.provider}`, delivery);
    totals.sent += attempts;
    answers[send.plan]![send.what]!.push(answer);
  }

  const problems: string[] = [];
  for (const [i, plan] of schedule.verifications.entries()) {
    const reference = references[i]!;
    const truth = plan.provider === 'jumio' ? JUMIO_TRUTH[plan.outcome]! : ATTESTR_TRUTH[plan.outcome]!;
    totals.verifications += 1;
    totals.dropped += plan.copies.filter((copies) => copies === 0).length;
    totals.duplicated += plan.copies.filter((copies) => copies > 1).length;
    let state: VerificationState;
    try {
      state = await eventually(
        async () => {
          const current = await kyc.getVerification(plan.provider, reference);
          return isTerminal(current.status) ? current : undefined;
        },
        60_000,
        `${plan.provider} ${reference} to end`,
      );
    } catch {
      totals.wrongVerdicts += 1;
      problems.push(`${plan.provider} ${plan.outcome}: never ended`);
      continue;
    }
    const decision = truth.decision;
    if (state.status !== truth.status || state.decision !== decision) {
      totals.wrongVerdicts += 1;
      problems.push(
        `${plan.provider} ${plan.outcome}: ${state.status}/${state.decision ?? '-'} instead of ` +
          `${truth.status}/${decision ?? '-'}`,
      );
    }
    const words = plan.provider === 'jumio' ? JUMIO_CALLBACKS : [plan.outcome];
    for (const [callback, received] of answers[i]!.entries()) {
      if (received.length === 0) continue;
      totals.acknowledged += 1;
      const word = words[callback]!;
      const counted = state.timeline.filter(
        (entry) => entry.source === 'callback' && entry.providerStatus === word && entry.outcome !== 'duplicate',
      ).length;
      // Answered `late` only when it found the verification closed: then it is not in the timeline.
      const acceptedOnce = received.some((answer) => answer !== 'late');
      if (!acceptedOnce) {
        totals.late += 1;
        if (counted !== 0) problems.push(`${plan.provider} ${word}: answered late, yet in the timeline`);
      } else if (counted === 1) totals.appliedOnce += 1;
      else if (counted === 0) {
        totals.lost += 1;
        problems.push(`${plan.provider} ${word}: acknowledged (${received.join(',')}), never applied`);
      } else {
        totals.appliedTwice += 1;
        problems.push(`${plan.provider} ${word}: counted ${counted} times`);
      }
    }
  }
  totals.schedules += 1;
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Scripts the simulator's truth for one verification and returns its documented callbacks. */
function script(
  sims: Simulators,
  plan: VerificationPlan,
  reference: string,
): { body: unknown; headers?: Record<string, string> }[] {
  const faults = { serverError: plan.serverErrors, rateLimited: plan.rateLimited };
  if (plan.provider === 'jumio') {
    sims.jumio.script(reference, {
      accountId: `acct-${reference}`,
      status: 'PROCESSED',
      decision: { type: plan.outcome as JumioDecisionType },
      faults,
    });
    const acquiredAt = Date.now() - 60_000;
    return JUMIO_CALLBACKS.map((status, n) => ({
      body: sims.jumio.callback(reference, status, new Date(acquiredAt + n * 1000)),
    }));
  }
  // A completed flow's result is in the API; an errored or skipped one is still "consumed" there.
  sims.attestr.script(reference, {
    kind: 'flowx',
    state: plan.outcome === 'flowx.completed' ? 'result' : 'consumed',
    faults,
  });
  return [{ body: sims.attestr.flowxCallback(reference, plan.outcome), headers: sims.attestr.webhookHeaders() }];
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
