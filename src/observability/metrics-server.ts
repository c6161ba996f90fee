import express from 'express';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus';
import { listen } from '../http/listen';

/** A source of Prometheus text: the ingress's registry, the Temporal runtime's endpoint. */
export type MetricsSource = () => Promise<string>;

/** Readiness of one part of the process; `reason` is a short code for the orchestrator's events. */
export type ReadinessCheck = () => Promise<{ ready: boolean; reason?: string }>;

export interface MetricsServerOptions {
  port: number;
  host?: string;
  sources: MetricsSource[];
  readiness: ReadinessCheck[];
}

/**
 * The process's private HTTP port (METRICS_PORT): `/metrics` (every source's text, one after the
 * other), `/healthz` (the process answers) and `/readyz` (every readiness check passes). It is
 * kept off the public webhook port so metrics and health need not be exposed to providers.
 */
export async function startMetricsServer(options: MetricsServerOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    try {
      const texts = await Promise.all(options.sources.map((source) => source()));
      res.type(PROMETHEUS_CONTENT_TYPE).send(texts.join(''));
    } catch {
      res.status(503).type('text/plain').send('metrics unavailable\n');
    }
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      options.readiness.map((check) => check().catch(() => ({ ready: false, reason: 'check_failed' }))),
    );
    const reasons = results.filter((r) => !r.ready).map((r) => r.reason ?? 'not_ready');
    if (reasons.length === 0) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable', reasons });
  });
  return listen(app, options.port, options.host);
}

/** The Temporal runtime's Prometheus endpoint (bound on loopback by installRuntime), read on each scrape. */
export function runtimeMetrics(bindAddress: string): MetricsSource {
  return async () => {
    const res = await fetch(`http://${bindAddress}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`runtime metrics answered ${res.status}`);
    const text = await res.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  };
}
