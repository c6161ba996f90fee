import { type VerificationPolicy } from '../../src/verification/model';

/** A policy with round numbers, for the pure rules' tests: grace 10 min, polls at 1, 2, 4 min, a day's lifetime. */
export const TEST_POLICY: VerificationPolicy = {
  callbackGraceMs: 10 * 60_000,
  pollScheduleMs: [60_000, 120_000, 240_000],
  expiresAfterMs: 24 * 3600_000,
  maxLifetimeMs: 30 * 24 * 3600_000,
  maxHistoryEvents: 10_000,
  retrievalRetryInitialMs: 5000,
  retrievalRetryMaximumMs: 300_000,
  notify: false,
};
