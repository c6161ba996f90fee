/**
 * Adversarial schedules on the real stack: fast-check draws, per run, a few verifications across
 * every registered provider, each one of its testing kit's stories (the simulator's truth: what
 * its API will say), scripted API errors, an optional deadline racing the callbacks, and the
 * provider's documented callbacks dropped, duplicated, reordered (within and across verifications)
 * and delayed, with the app's start at a random place among them, and maybe a worker restart in the
 * middle. Everything goes through the real ingress to the real worker and dev server, with the
 * simulators on loopback; a callback that gets no 2xx is resent, as providers do.
 * Shared by test/integration/adversarial-schedules.test.ts (bounded) and `npm run chaos`.
 */
import fc from 'fast-check';
import { KycClient } from '../../src/client';
import type { ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { postJson } from '../../src/testing/callback-sender';
import type { PlayedStory, StoryTruth } from '../../src/testing/kit';
import { startSimulators as startRunningSimulators, type RunningSimulators } from '../../src/testing/simulators';
import type { DurableStack } from './durable-stack';
import { awaitVerdict } from './provider-stack';

/** One verification of a schedule: the provider, what its API says, and how its callbacks travel. */
export interface VerificationPlan {
  provider: ProviderId;
  /** The story of the provider's testing kit (its truth). */
  outcome: string;
  /** One of the story's variants: how the provider speaks for this verification (a callback shape, a key kind). */
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

const apiFaults = { serverErrors: fc.nat({ max: 2 }), rateLimited: fc.nat({ max: 1 }) };
/** A deadline racing the callbacks: only where the API's answer is final from the start, so its check finds it. */
const racingDeadline = fc.option(fc.integer({ min: 300, max: 4000 }), { nil: undefined });
/** Per callback: 0 (dropped), 1 or 2 copies; `min` 1 where a callback must not be lost. */
const copiesOf = (callbacks: number, min = 0) =>
  fc.array(fc.integer({ min, max: 2 }), { minLength: callbacks, maxLength: callbacks });

/**
 * Every provider's every story, in each of its variants: where the API holds the verdict from the
 * start any callback may be lost or race a deadline; otherwise (only the callback tells) each is
 * delivered, maybe twice, maybe late. Providers are drawn alike, then a story, then a variant.
 */
function planArbitrary(sims: Simulators): fc.Arbitrary<VerificationPlan> {
  return fc.oneof(
    ...sims.providers.map(({ provider, kit, sim }) =>
      fc.oneof(
        ...Object.entries(kit.stories).map(([outcome, story]) =>
          fc.oneof(
            ...(story.variants ?? [undefined]).map((variant) => {
              // How many callbacks the story has: played once, on a key of its own.
              const callbacks = story.play(sim, variant ? { variant } : {}).callbacks.length;
              return fc.record({
                provider: fc.constant(provider),
                outcome: fc.constant(outcome),
                variant: fc.constant(variant),
                ...apiFaults,
                deadlineMs: story.apiKnowsFromStart ? racingDeadline : fc.constant(undefined),
                copies: copiesOf(callbacks, story.apiKnowsFromStart ? 0 : 1),
              });
            }),
          ),
        ),
      ),
    ),
  );
}

/** Sends in a schedule: every callback copy, and one app start per verification. */
function sendCount(verifications: VerificationPlan[]): number {
  return verifications.reduce((n, plan) => n + plan.copies.reduce((a, b) => a + b, 0) + 1, 0);
}

export function scheduleArbitrary(sims: Simulators, maxVerifications: number): fc.Arbitrary<Schedule> {
  return fc
    .array(planArbitrary(sims), {
      minLength: 1,
      maxLength: maxVerifications,
    })
    .chain((verifications) => {
      const sends = sendCount(verifications);
      const indexes = Array.from({ length: sends }, (_, i) => i);
      return fc.record({
        verifications: fc.constant(verifications),
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
  perProvider: Record<string, number>;
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
    perProvider: {},
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
  const perProvider = Object.entries(totals.perProvider)
    .map(([provider, count]) => `${provider} ${count}`)
    .join(', ');
  return (
    `adversarial schedules (seed ${seed}): ${totals.schedules} schedules, ${totals.verifications} verifications ` +
    `(${perProvider}); callbacks dropped ${totals.dropped}, duplicated ${totals.duplicated}; ` +
    `worker restarts ${totals.workerRestarts}; sent ${totals.sent}, acknowledged ${totals.acknowledged}, ` +
    `applied once ${totals.appliedOnce}, answered late ${totals.late}; ` +
    `lost: ${totals.lost}, applied twice: ${totals.appliedTwice}, wrong verdicts: ${totals.wrongVerdicts}`
  );
}

/** Every registered provider's simulator on loopback, from its testing kit. */
export type Simulators = RunningSimulators;

export const startSimulators = (): Promise<Simulators> => startRunningSimulators();

export async function closeSimulators(sims: Simulators | undefined): Promise<void> {
  await sims?.close();
}

/** The stack's variables for the simulators: short grace and schedule, so a lost callback is polled for soon. */
export function scheduleVariables(sims: Simulators): Record<string, string> {
  return {
    ...sims.environment,
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '2s',
    ...Object.fromEntries(
      sims.providers.flatMap(({ provider }) => [
        [providerVariable(provider, 'CALLBACK_GRACE'), '2s'],
        [providerVariable(provider, 'POLL_SCHEDULE'), '2s,3s'],
      ]),
    ),
  };
}

interface Send {
  plan: number;
  /** The callback's index, or `start` for the app's start. */
  what: number | 'start';
}

/** One scripted verification: how the app starts it, its documented callbacks in order, and its truth. */
interface Scripted extends PlayedStory {
  truth: StoryTruth;
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
    totals.perProvider[plan.provider] = (totals.perProvider[plan.provider] ?? 0) + 1;
    totals.dropped += plan.copies.filter((copies) => copies === 0).length;
    totals.duplicated += plan.copies.filter((copies) => copies > 1).length;
    const verdict = await awaitVerdict(kyc, plan.provider, start.reference, truth);
    if (verdict.problem) {
      totals.wrongVerdicts += 1;
      problems.push(`${what}: ${verdict.problem}`);
    }
    if (!verdict.state) continue;
    const state = verdict.state;
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

/** Scripts the simulator's truth for one verification (under a fresh key) and builds its documented callbacks. */
function script(sims: Simulators, plan: VerificationPlan): Scripted {
  const { kit, sim } = sims.of(plan.provider);
  const story = kit.stories[plan.outcome]!;
  const faults = { serverError: plan.serverErrors, rateLimited: plan.rateLimited };
  return { ...story.play(sim, { faults, ...(plan.variant ? { variant: plan.variant } : {}) }), truth: story.truth };
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
