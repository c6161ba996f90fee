import { clusterUnderTest, describeReport, runChaos } from '../support/chaos';
import { clusterOfThisRun } from '../support/cluster';

/**
 * The production shape under faults: two worker processes and two ingress processes on the same
 * task queues, against the pinned Temporal server on PostgreSQL, callbacks sent to both ingresses
 * (each resent until acknowledged, as providers do). Meanwhile the Temporal server is SIGKILLed
 * and restarted, PostgreSQL is stopped for 30 s and started, and a worker is SIGKILLed while it
 * holds verifications in its sticky cache. Every verification must end with the simulator's
 * verdict, every acknowledged callback must count once, and every answer must be a 2xx or a 503
 * with Retry-After.
 */
describe('replicas and faults on the cluster', () => {
  it('loses nothing, decides every verification right and answers only 2xx or 503 + Retry-After', async () => {
    const cluster = clusterOfThisRun();
    if (!cluster) throw new Error('run with npm run test:cluster (its global setup brings the cluster up)');
    const seed = Number(process.env.KYC_CHAOS_SEED ?? Date.now() % 100_000);
    const report = await runChaos({
      verifications: 24,
      faults: ['temporal', 'database', 'worker'],
      databaseOutageMs: 30_000,
      gapMs: 3000,
      concurrency: 3,
      seed,
      temporal: clusterUnderTest(cluster),
      workers: 2,
      ingresses: 2,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    process.stdout.write(`${describeReport(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, appliedTwice: 0, wrongVerdicts: 0, notAcknowledged: 0 });
    expect(report.unexpectedAnswers).toEqual([]);
    expect(report.inboxLeft).toEqual([0, 0]);
    expect(report.faultsInjected).toEqual(['temporal', 'database', 'worker']);
    expect(report.verifications).toBeGreaterThanOrEqual(24);
    expect(report.applied).toBe(report.acknowledged);
    // Both replicas took callbacks, and the killed worker held verifications that another had to take over.
    expect(report.acknowledgedBy.every((count) => count > 0)).toBe(true);
    expect(report.stickyAtWorkerKill).toHaveLength(1);
    expect(report.stickyAtWorkerKill[0]).toBeGreaterThan(0);
  }, 900_000);
});
