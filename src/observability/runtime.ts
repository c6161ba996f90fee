import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel as SdkLogLevel } from '@temporalio/common';
import { createLogger, type LogFields, type LogLevel } from '../logger';

const SDK_LEVEL: Record<LogLevel, SdkLogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
const OUR_LEVEL: Record<SdkLogLevel, LogLevel> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export interface RuntimeOptions {
  level: LogLevel;
  /** Set: the runtime serves its Prometheus metrics here (loopback; the metrics server re-serves them). */
  prometheusBindAddress?: string;
  write?: (line: string) => void;
}

/**
 * Installs the Temporal runtime once per process, before any worker or native connection:
 * the SDK's own logs, the native core's (forwarded) and workflow and activity `log` calls (which
 * reach the runtime logger through the SDK's default sinks) all become our JSON lines, tagged
 * `component: "temporal"`; with a bind address, the worker's metrics are exported for Prometheus.
 */
export function installRuntime(options: RuntimeOptions): Runtime {
  const logger = createLogger('temporal', options.level, options.write);
  const sdkLogger = new DefaultLogger(SDK_LEVEL[options.level], (entry: LogEntry) => {
    logger[OUR_LEVEL[entry.level]](entry.message, plainFields(entry.meta));
  });
  return Runtime.install({
    logger: sdkLogger,
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress } } }
        : {}),
    },
  });
}

/** SDK metadata as loggable fields: errors keep their name and message, not their own properties. */
function plainFields(meta: Record<string, unknown> | undefined): LogFields {
  const fields: LogFields = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    fields[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
  }
  return fields;
}
