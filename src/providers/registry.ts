import type { ProviderId } from '../verification/model';
import { attestr } from './attestr';
import { concedus } from './concedus';
import { jumio } from './jumio';
import type { ProviderModule } from './module';
import { socure } from './socure';
import { unico } from './unico';

/** Every provider the orchestrator knows. Adding a provider: one folder, one line here. */
export const providerModules = [jumio, socure, attestr, unico, concedus] as unknown as ProviderModule[];

export function providerModule(id: ProviderId): ProviderModule | undefined {
  return providerModules.find((module) => module.id === id);
}
