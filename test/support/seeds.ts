/**
 * Each provider's documented payloads for the hostile-body tests and the callback fuzzer: `seeds`
 * in src/providers/<id>/test/seeds.ts, found by its registry ID, with the variables the ingress
 * needs to take them as they are (a secret their signatures were made with, say).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import { providerTestModule } from './provider-test-module';

export interface FuzzSeeds {
  /** The documented payloads, parsed. */
  bodies(): unknown[];
  /** Other shapes the parser takes, which the prototype-key test bends too (not fuzzed). */
  variants?(): unknown[];
  /** Variables the ingress needs to take the bodies as they are. */
  variables?: Record<string, string>;
}

/** A fixture of test/fixtures/<provider>/, parsed. */
export const fixture = (provider: string, name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', provider, name), 'utf8')) as unknown;

/** The provider's seeds, by its registry ID. */
export function loadSeeds(provider: ProviderId): FuzzSeeds {
  const seeds = providerTestModule<FuzzSeeds>(provider, 'seeds', 'seeds');
  if (seeds.bodies().length === 0) {
    throw new Error(`provider ${provider}: src/providers/${provider}/test/seeds.ts must export \`seeds\` with a body`);
  }
  return seeds;
}

/** Every registered provider's seed variables, merged. */
export function seedVariables(): Record<string, string> {
  return Object.assign({}, ...PROVIDERS.map((provider) => loadSeeds(provider).variables ?? {})) as Record<
    string,
    string
  >;
}
