/**
 * Every provider the orchestrator knows: this list is the only place they are named outside their
 * own folders. Adding a provider is its folder and one line here (docs/providers.md, "Add a
 * provider"); everything else (configuration, routes, documentation, the simulators, the tests
 * that run every provider) reads this list.
 */
import { attestr } from './attestr';
import { concedus } from './concedus';
import { jumio } from './jumio';
import type { ProviderModule } from './module';
import { socure } from './socure';
import { unico } from './unico';

/** Keys must be the modules' own IDs: a mismatch does not compile. */
function defineRegistry<T extends Record<string, ProviderModule>>(modules: T & { [K in keyof T]: { id: K } }): T {
  return modules;
}

export const providerRegistry = defineRegistry({ jumio, socure, attestr, unico, concedus });

/** A registered provider's ID. */
export type ProviderId = keyof typeof providerRegistry;

/** The registered providers, in the registry's order. */
export const PROVIDERS = Object.keys(providerRegistry) as ProviderId[];

export function isProviderId(value: string): value is ProviderId {
  return Object.hasOwn(providerRegistry, value);
}

/** The modules in the registry's order. */
export const providerModules: readonly ProviderModule[] = PROVIDERS.map((id) => providerModule(id));

export function providerModule(id: ProviderId): ProviderModule {
  return providerRegistry[id];
}
