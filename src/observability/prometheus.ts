import { collectDefaultMetrics, Registry } from 'prom-client';

/** The content type of Prometheus's text format, as every /metrics answer here is served. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The process's own metrics (CPU, memory, event loop, GC), registered once per process: every
 * ingress app built in the process reports them, and tests that build many apps add no collectors.
 */
let processRegistry: Registry | undefined;
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
