import { describeReport, runChaos, type ChaosReport, type Fault } from '../test/support/chaos';

/**
 * `npm run chaos`: the long version of test/integration/kill.test.ts, never part of `npm test`.
 * KYC_CHAOS_ROUNDS rounds (default 3), each with every fault injected three times in a shuffled
 * order under a steady load of at least 100 verifications; KYC_CHAOS_SEED repeats a run.
 */
const rounds = Number(process.env.KYC_CHAOS_ROUNDS ?? 3);
const firstSeed = Number(process.env.KYC_CHAOS_SEED ?? Date.now() % 100_000);

describe('chaos: SIGKILL everything, repeatedly, under load', () => {
  const reports: ChaosReport[] = [];

  afterAll(() => {
    const total = (key: 'sent' | 'acknowledged' | 'applied' | 'lost' | 'appliedTwice' | 'wrongVerdicts') =>
      reports.reduce((sum, report) => sum + report[key], 0);
    process.stdout.write(
      `chaos total: ${reports.length} rounds, ${reports.reduce((n, r) => n + r.verifications, 0)} verifications, ` +
        `faults injected ${reports.reduce((n, r) => n + r.faultsInjected.length, 0)}, sent ${total('sent')}, ` +
        `acknowledged ${total('acknowledged')}, applied ${total('applied')}, lost: ${total('lost')}, ` +
        `applied twice: ${total('appliedTwice')}, wrong verdicts: ${total('wrongVerdicts')}\n`,
    );
  });

  it.each(Array.from({ length: rounds }, (_, i) => firstSeed + i))('round with seed %i', async (seed) => {
    const faults: Fault[] = (['temporal', 'worker', 'ingress'] as Fault[]).flatMap((fault) => [fault, fault, fault]);
    // A seeded shuffle, so the order of faults differs per round and repeats per seed.
    let state = seed;
    for (let i = faults.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2147483648;
      const j = state % (i + 1);
      [faults[i], faults[j]] = [faults[j]!, faults[i]!];
    }
    const report = await runChaos({
      verifications: 100,
      faults,
      gapMs: 2000,
      concurrency: 4,
      seed,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    reports.push(report);
    process.stdout.write(`${describeReport(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, appliedTwice: 0, wrongVerdicts: 0, notAcknowledged: 0 });
    expect(report.applied).toBe(report.acknowledged);
  });
});
