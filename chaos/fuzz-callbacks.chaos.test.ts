import { describeFuzzOnStack } from '../test/support/fuzz-stack';

/**
 * `npm run chaos`: the long version of test/integration/fuzz-callbacks.test.ts.
 * KYC_CHAOS_FUZZ_RUNS fuzzed bodies per provider (default 400); KYC_CHAOS_FUZZ_SEED repeats a run.
 */
describeFuzzOnStack('chaos: many fuzzed callbacks on the real stack', {
  runs: Number(process.env.KYC_CHAOS_FUZZ_RUNS ?? 400),
  seed: Number(process.env.KYC_CHAOS_FUZZ_SEED ?? Date.now() % 2 ** 31),
  // Here an answer includes Temporal's own round trips (signal-with-start; a closed verification's
  // final state for a late callback), so the bound is a provider's timeout; the event loop's own
  // bound, a second, is the in-process suite's.
  maxAnswerMs: 5000,
  timeoutMs: 1_800_000,
});
