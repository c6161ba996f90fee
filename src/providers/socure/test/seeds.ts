/** Socure's documented payloads, where the hostile-body tests and the fuzzer start (test/support/hostile-bodies.ts). */
import { fixture, type FuzzSeeds } from '../../../../test/support/seeds';

export const seeds: FuzzSeeds = {
  bodies: () => [
    fixture('socure', 'legacy-verification-completed.json'),
    fixture('socure', 'riskos-evaluation-completed.json'),
    ...(fixture('socure', 'seed-events.json') as unknown[]),
  ],
};
