import { ConfigError, loadConfig, type AppConfig } from './app-config';

/**
 * Loads the configuration or stops the process with one line naming the bad variable; says in one
 * line each which providers production runs without (none of their settings is set).
 */
export function loadConfigOrExit(): AppConfig {
  try {
    const config = loadConfig();
    printDisabledProviders(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kyc-orchestrator: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Runs `stop` once on the first SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(
            `kyc-orchestrator: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`,
          );
          process.exit(1);
        },
      );
    });
  }
}

export function printDevDefaults(config: AppConfig): void {
  if (config.devDefaults.length === 0) return;
  process.stdout.write(
    `development defaults in use (KYC_DEV_DEFAULTS=1; refused with NODE_ENV=production): ${config.devDefaults.join(', ')}\n`,
  );
}

export function printDisabledProviders(config: AppConfig): void {
  for (const { id, reason } of config.disabledProviders) {
    process.stdout.write(`provider ${id} disabled: ${reason}\n`);
  }
}
