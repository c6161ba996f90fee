import type { ProviderId } from '../verification/model';
import { attestr } from './attestr';
import { concedus } from './concedus';
import { jumio } from './jumio';
import type { ProviderModule } from './module';
import { socure } from './socure';
import { unico } from './unico';

/**
 * Every provider the orchestrator knows, keyed by the one provider list (PROVIDERS in the
 * model): a provider missing here, or one here that the list lacks, does not compile. Each
 * module keeps its own settings type. Adding a provider: see "Add a provider" in the README.
 */
export const providerRegistry: { readonly [P in ProviderId]: ProviderModule } = {
  jumio,
  socure,
  attestr,
  unico,
  concedus,
};

/** The modules in the order of the provider list. */
export const providerModules: readonly ProviderModule[] = Object.values(providerRegistry);

export function providerModule(id: ProviderId): ProviderModule {
  return providerRegistry[id];
}
