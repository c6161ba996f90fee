/** Unico's documented payloads, where the hostile-body tests and the fuzzer start (test/support/hostile-bodies.ts). */
import { fixture, type FuzzSeeds } from '../../../../test/support/seeds';

export const seeds: FuzzSeeds = {
  bodies: () => [fixture('unico', 'seed-finished-ok.json'), fixture('unico', 'seed-finished-expired.json')],
};
