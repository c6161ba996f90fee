import { describePollFlood, exceedsTheLimit, runPollFlood } from '../test/support/poll-flood';
import { useTemporal } from '../test/support/provider-stack';

/**
 * `npm run chaos`: thousands of verifications fall back to polling at once against a simulator
 * that counts calls per second (the bounded version is test/integration/poll-flood.test.ts).
 * KYC_CHAOS_POLL_FLOOD_COUNT (default 2000) and KYC_CHAOS_POLL_FLOOD_LIMIT (per second, default 50).
 */
const verifications = Number(process.env.KYC_CHAOS_POLL_FLOOD_COUNT ?? 2000);
const limit = Number(process.env.KYC_CHAOS_POLL_FLOOD_LIMIT ?? 50);

describe('chaos: a poll flood of thousands against the per-provider rate limit', () => {
  const temporal = useTemporal();

  it(`polls ${verifications} waiting verifications at most ${limit} a second, and every one finishes`, async () => {
    const report = await runPollFlood(temporal.env, {
      verifications,
      limit,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    process.stdout.write(`${describePollFlood(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report.finished).toBe(verifications);
    expect(report.calls).toBe(verifications);
    expect(exceedsTheLimit(report)).toEqual([]);
  });
});
