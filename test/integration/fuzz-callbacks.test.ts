import { describeFuzzOnStack } from '../support/fuzz-stack';

/**
 * The callback fuzzer (test/unit/fuzz-callbacks.test.ts) against the real ingress, worker and dev
 * server: besides no 5xx and every answer within a provider's timeout, no workflow task may fail and no
 * verification may be named by a value a prototype key carried. A modest count here;
 * `npm run chaos` runs many more (chaos/fuzz-callbacks.chaos.test.ts). KYC_FUZZ_SEED repeats a run.
 */
describeFuzzOnStack('callback fuzzing on the real stack', {
  runs: 30,
  seed: Number(process.env.KYC_FUZZ_SEED ?? Date.now() % 2 ** 31),
  // Here an answer includes Temporal's own round trips (signal-with-start; a closed verification's
  // final state for a late callback), so the bound is a provider's timeout; the event loop's own
  // bound, a second, is the in-process suite's.
  maxAnswerMs: 5000,
  timeoutMs: 240_000,
});
