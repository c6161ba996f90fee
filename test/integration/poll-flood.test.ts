import { describePollFlood, exceedsTheLimit, runPollFlood } from '../support/poll-flood';
import { useTemporal } from '../support/provider-stack';

/**
 * Hundreds of verifications fall back to polling at once (the retrieval worker joins after they
 * all wait, as at an outage's end): the simulator never sees calls faster than the configured
 * rate, beyond the server's initial burst, and every verification finishes after one poll.
 * `npm run chaos` runs thousands (chaos/poll-flood.chaos.test.ts).
 */
const verifications = 250;
const limit = 20;

describe('poll flood against the per-provider rate limit (real dev server)', () => {
  const temporal = useTemporal();

  it(`polls ${verifications} waiting verifications at most ${limit} a second, and every one finishes`, async () => {
    const report = await runPollFlood(temporal.env, { verifications, limit });
    process.stdout.write(`${describePollFlood(report)}\n`);
    expect(report.problems).toEqual([]);
    expect(report.finished).toBe(verifications);
    expect(report.calls).toBe(verifications);
    expect(exceedsTheLimit(report)).toEqual([]);
  }, 300_000);
});
