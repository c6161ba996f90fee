import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { startAttestrSimulator } from '../src/providers/attestr/simulator';
import { startJumioSimulator } from '../src/providers/jumio/simulator';
import { startDurableStack, type DurableStack } from '../test/support/durable-stack';
import {
  describeTotals,
  emptyTotals,
  runSchedule,
  scheduleArbitrary,
  scheduleVariables,
  type Simulators,
} from '../test/support/schedules';
import { runWorker, startTemporal, type RunningWorker } from '../test/support/stack';

/**
 * `npm run chaos`: the long version of test/integration/adversarial-schedules.test.ts.
 * KYC_CHAOS_SCHEDULES schedules (default 40) of up to 6 verifications; KYC_CHAOS_SCHEDULE_SEED repeats a run.
 */
const seed = Number(process.env.KYC_CHAOS_SCHEDULE_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.KYC_CHAOS_SCHEDULES ?? 40);

describe('chaos: many adversarial callback schedules on the real stack', () => {
  let env: TestWorkflowEnvironment;
  let sims: Simulators;
  let stack: DurableStack;
  let worker: RunningWorker | undefined;
  const totals = emptyTotals();
  /** Stops the worker in the middle of a schedule and starts a fresh one: nothing it held may be lost. */
  const restartWorker = async () => {
    await (worker ?? stack.worker).stop();
    worker = await runWorker(env, stack.config);
  };

  beforeAll(async () => {
    env = await startTemporal();
    const [jumio, attestr] = await Promise.all([startJumioSimulator(), startAttestrSimulator()]);
    sims = { jumio, attestr };
    stack = await startDurableStack(env, scheduleVariables(sims));
  });

  afterAll(async () => {
    process.stdout.write(`${describeTotals(seed, totals)}\n`);
    await worker?.stop();
    await stack?.stop();
    await Promise.all([sims?.jumio.close(), sims?.attestr.close()]);
    await env?.teardown();
  });

  it(`ends every verification with the simulator's truth (${numRuns} schedules)`, async () => {
    await fc.assert(
      fc.asyncProperty(scheduleArbitrary(6), (schedule) => runSchedule(stack, sims, schedule, totals, restartWorker)),
      { seed, numRuns, endOnFailure: true },
    );
    expect(totals.lost + totals.appliedTwice + totals.wrongVerdicts).toBe(0);
    expect(totals.appliedOnce + totals.late).toBe(totals.acknowledged);
  });
});
