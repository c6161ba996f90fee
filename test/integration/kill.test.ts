import { describeReport, runChaos } from '../support/chaos';

/**
 * Kill things, lose nothing (bounded; `npm run chaos` runs the long version): under a steady load
 * of callbacks resent until acknowledged, the dev server, the worker and the ingress are each
 * SIGKILLed and restarted. Every verification must end with the simulator's verdict, and every
 * acknowledged callback must count exactly once.
 */
describe('SIGKILL the dev server, the worker and the ingress under load', () => {
  it('loses no acknowledged callback and decides every verification as the simulator did', async () => {
    const seed = Number(process.env.KYC_CHAOS_SEED ?? Date.now() % 100_000);
    const report = await runChaos({
      verifications: 12,
      faults: ['ingress', 'worker', 'temporal', 'ingress'],
      gapMs: 1500,
      concurrency: 3,
      seed,
    });
    process.stdout.write(`${describeReport(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, appliedTwice: 0, wrongVerdicts: 0, notAcknowledged: 0 });
    expect(report.faultsInjected).toHaveLength(4);
    expect(report.verifications).toBeGreaterThanOrEqual(12);
    // Every callback of every verification's story, each once.
    expect(report.acknowledged).toBe(report.callbacks);
    expect(report.applied).toBe(report.acknowledged);
  }, 400_000);
});
