/** Jumio's documented payloads, where the hostile-body tests and the fuzzer start (test/support/hostile-bodies.ts). */
import { fixture, type FuzzSeeds } from '../../../../test/support/seeds';

export const seeds: FuzzSeeds = {
  bodies: () => [fixture('jumio', 'documented-callback.json')],
  // The documented payloads name their own accounts: every account is taken (the development default).
  variables: { JUMIO_ACCOUNT_IDS: '' },
};
