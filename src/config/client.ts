import { EnvReader, ConfigError } from './env-reader';
import { readTemporalSettings, type TemporalSettings } from './temporal';

/** What `KycClient` and `kyc` need: Temporal only, never provider credentials or webhook secrets. */
export interface ClientConfig {
  production: boolean;
  temporal: TemporalSettings;
}

/**
 * Parses only the Temporal settings (connection, namespace, task queue, payload key), so an app
 * or an operator's terminal that starts and reads verifications needs no provider configuration,
 * also with NODE_ENV=production. Polling policies come from the worker.
 */
export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const read = new EnvReader(env);
  const production = read.string('NODE_ENV') === 'production';
  const config: ClientConfig = { production, temporal: readTemporalSettings(read) };
  if (production) requireTemporalAddress(config.temporal);
  return Object.freeze(config);
}

export function requireTemporalAddress(temporal: TemporalSettings): void {
  if (!temporal.address) {
    throw new ConfigError(
      'TEMPORAL_ADDRESS',
      'must be set when NODE_ENV=production, or come from the config file profile (the embedded dev server is for development)',
    );
  }
}
