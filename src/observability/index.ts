import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { AppConfig } from '../app-config';
import { cachedAnswer } from '../http/cached-answer';
import { startOnFreePorts, type FreePortsStart } from '../http/free-port';
import { createLogger } from '../logger';
import { READINESS_CACHE_MS } from './readiness';
import { installRuntime } from './runtime';
import { startMetricsServer, type MetricsSource, type ReadinessCheck } from './metrics-server';

export { runtimeMetrics } from './metrics-server';

/**
 * Installs the Temporal runtime for a process that runs a worker: our logger for the SDK, and with
 * METRICS_PORT set, the runtime's Prometheus exporter on a private loopback port whose text the
 * metrics server re-serves (so one port carries the worker's and the ingress's metrics).
 * Returns that loopback address, if any.
 *
 * The exporter's port is picked free before the runtime binds it, so another process may take it
 * in between: the runtime then refuses to install, and is installed once more on another port.
 */
export async function setUpWorkerRuntime(
  config: AppConfig,
  ports: Omit<FreePortsStart, 'what'> = {},
): Promise<string | undefined> {
  const level = config.observability.logLevel;
  if (config.observability.metricsPort === undefined) {
    installRuntime({ level });
    return undefined;
  }
  const logger = createLogger('worker', level);
  return startOnFreePorts(
    1,
    ([port]) => {
      const bindAddress = `127.0.0.1:${port}`;
      installRuntime({ level, prometheusBindAddress: bindAddress });
      return Promise.resolve(bindAddress);
    },
    { what: "the Temporal runtime's metrics exporter", print: (line) => logger.warn(line), ...ports },
  );
}

/** Serves /metrics, /healthz and /readyz on METRICS_PORT; nothing when it is unset. */
export async function serveMetrics(config: AppConfig, sources: MetricsSource[], readiness: ReadinessCheck[]) {
  const port = config.observability.metricsPort;
  if (port === undefined) return undefined;
  return startMetricsServer({ port, sources, readiness });
}

/** Ready while the worker polls its task queue. */
export function workerReadiness(worker: Worker): ReadinessCheck {
  return () => {
    const state = worker.getState();
    return Promise.resolve(
      state === 'RUNNING' ? { ready: true } : { ready: false, reason: `worker_${state.toLowerCase()}` },
    );
  };
}

/** Ready while the Temporal frontend answers; one call per {@link READINESS_CACHE_MS}, however often it is probed. */
export function temporalReadiness(client: Client): ReadinessCheck {
  return cachedAnswer(READINESS_CACHE_MS, async () => {
    try {
      await client.connection.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
      return { ready: true };
    } catch {
      return { ready: false, reason: 'temporal_unavailable' };
    }
  });
}
