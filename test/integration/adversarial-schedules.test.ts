import { describeScheduleSuite } from '../support/schedule-suite';

/**
 * Property: whatever happens to the providers' callbacks on the way (dropped, duplicated,
 * reordered, delayed, the app's start anywhere among them, API errors, a deadline racing them, a
 * worker restart in the middle), every verification ends with the simulator's truth and every
 * acknowledged callback counts once.
 * Real dev server, worker and ingress; simulators on loopback. KYC_SCHEDULE_SEED repeats a run;
 * `npm run chaos` runs many more schedules (chaos/adversarial-schedules.chaos.test.ts).
 */
describeScheduleSuite(
  'adversarial callback schedules on the real stack (property)',
  "ends every verification with the simulator's truth, each acknowledged callback applied once",
  {
    seed: Number(process.env.KYC_SCHEDULE_SEED ?? Date.now() % 2 ** 31),
    numRuns: 6,
    maxVerifications: 4,
    timeoutMs: 240_000,
  },
);
