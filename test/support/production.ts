/**
 * What each provider's production deployment sets, for the configuration tests:
 * `production` in src/providers/<id>/test/production.ts, found by its registry ID.
 */
import { ConfigError } from '../../src/config/env-reader';
import { providerModule, type ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { providerTestModule } from './provider-test-module';

/** The provider's variables of a production deployment of it alone, with values production accepts. */
export function productionVariables(provider: ProviderId): Record<string, string> {
  return providerTestModule<Record<string, string>>(provider, 'production', 'production');
}

/** A production deployment of the provider alone: Temporal's address, KYC_PROVIDERS and its variables. */
export function productionEnv(provider: ProviderId): Record<string, string> {
  return {
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: 't:7233',
    KYC_PROVIDERS: provider,
    ...productionVariables(provider),
  };
}

/**
 * What production requires of the provider, in the order they are read: its webhook auth when
 * the provider publishes no rule, then its own variables production requires.
 */
export function requiredInProduction(provider: ProviderId): string[] {
  const module = providerModule(provider);
  return [
    ...(module.webhookAuth.default ? [] : [providerVariable(provider, 'WEBHOOK_AUTH')]),
    ...module.variables.filter((variable) => variable.requiredInProduction).map((variable) => variable.name),
  ];
}

/** The ConfigError `load` throws; fails the test when it throws none, or something else. */
export function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}
