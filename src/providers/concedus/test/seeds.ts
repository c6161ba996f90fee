/** Concedus's documented payloads, where the hostile-body tests and the fuzzer start (test/support/hostile-bodies.ts). */
import { fixture, type FuzzSeeds } from '../../../../test/support/seeds';

const arrays = (name: string) =>
  Object.values(fixture('concedus', name) as Record<string, unknown>).filter(Array.isArray);

export const seeds: FuzzSeeds = {
  bodies: () => [...arrays('seed-examples.json'), ...arrays('vendor-examples.json')],
};
