import { describeScheduleSuite } from '../test/support/schedule-suite';

/**
 * `npm run chaos`: the long version of test/integration/adversarial-schedules.test.ts.
 * KYC_CHAOS_SCHEDULES schedules (default 40) of up to 6 verifications; KYC_CHAOS_SCHEDULE_SEED repeats a run.
 */
describeScheduleSuite(
  'chaos: many adversarial callback schedules on the real stack',
  "ends every verification with the simulator's truth",
  {
    seed: Number(process.env.KYC_CHAOS_SCHEDULE_SEED ?? Date.now() % 2 ** 31),
    numRuns: Number(process.env.KYC_CHAOS_SCHEDULES ?? 40),
    maxVerifications: 6,
    timeoutMs: 1_800_000,
  },
);
