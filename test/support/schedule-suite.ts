/**
 * The adversarial-schedule suite on the real stack (dev server, durable ingress, worker and the
 * five simulators), shared by `npm test` (a few schedules) and `npm run chaos` (many).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { startDurableStack, type DurableStack } from './durable-stack';
import {
  closeSimulators,
  describeTotals,
  emptyTotals,
  runSchedule,
  scheduleArbitrary,
  scheduleVariables,
  startSimulators,
  type Simulators,
} from './schedules';
import { runWorker, startTemporal, type RunningWorker } from './stack';

export interface ScheduleSuiteOptions {
  seed: number;
  numRuns: number;
  /** Verifications per schedule, at most. */
  maxVerifications: number;
  timeoutMs: number;
}

export function describeScheduleSuite(title: string, testName: string, options: ScheduleSuiteOptions): void {
  const { seed, numRuns, maxVerifications, timeoutMs } = options;
  describe(title, () => {
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
      sims = await startSimulators();
      stack = await startDurableStack(env, scheduleVariables(sims));
    });

    afterAll(async () => {
      process.stdout.write(`${describeTotals(seed, totals)}\n`);
      await worker?.stop();
      await stack?.stop();
      await closeSimulators(sims);
      await env?.teardown();
    });

    it(
      `${testName} (${numRuns} schedules)`,
      async () => {
        await fc.assert(
          fc.asyncProperty(scheduleArbitrary(sims, maxVerifications), (schedule) =>
            runSchedule(stack, sims, schedule, totals, restartWorker),
          ),
          // Shrinking would rerun the real stack many times: the seed and the failing schedule are printed instead.
          { seed, numRuns, endOnFailure: true },
        );
        expect(totals.lost + totals.appliedTwice + totals.wrongVerdicts).toBe(0);
        expect(totals.appliedOnce + totals.late).toBe(totals.acknowledged);
      },
      timeoutMs,
    );
  });
}
