/**
 * Ingress metrics (prom-client) scraped in-process: on the ingress's own port without
 * METRICS_PORT, and only on the metrics server (with health and readiness) when it is set. The
 * provider: the first registered one whose callbacks may start a verification, its callbacks
 * played from its kit's plainest story.
 */
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { IngressMetrics } from '../../src/ingress/metrics';
import { silentLogger } from '../../src/logger';
import { startMetricsServer } from '../../src/observability/metrics-server';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { describeNamespaceKeepingYears } from '../support/fake-temporal';
import { useCallbackProvider } from '../support/kit-callbacks';

const callbacks = useCallbackProvider();
const env = () => ({ ...DEV_DEFAULTS, ...callbacks.environment });
const post = (app: Parameters<typeof callbacks.post>[0], delivery = callbacks.callback().delivery) =>
  callbacks.post(app, delivery);

function fakeClient(signalWithStart: () => Promise<unknown>): Client {
  return {
    connection: { withDeadline: (_d: number, fn: () => Promise<unknown>) => fn() },
    workflowService: { getSystemInfo: async () => ({}), describeNamespace: describeNamespaceKeepingYears },
    workflow: { signalWithStart },
  } as unknown as Client;
}

/** The value of one sample line, e.g. `kyc_callbacks_total{provider="p",code="200"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ingress metrics', () => {
  it('counts callbacks by provider and outcome, and times hand-overs in a histogram', async () => {
    const config = loadConfig(env());
    let temporalDown = false;
    const client = fakeClient(async () => {
      if (temporalDown) throw new Error('unavailable');
      return {};
    });
    const app = createIngressApp({ client, config, logger: silentLogger, handoverTimeoutMs: 1000 });
    // Three verifications: a redelivery of one already accepted would not reach Temporal again.
    expect((await post(app)).status).toBe(200);
    expect((await post(app)).status).toBe(200);
    temporalDown = true;
    expect((await post(app)).status).toBe(503);
    // Authenticated as the provider's callbacks are, but not JSON.
    expect((await post(app, { ...callbacks.callback().delivery, body: '{' })).status).toBe(400);

    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = res.text;
    expect(sample(text, `kyc_callbacks_total{provider="${callbacks.provider}",code="200"}`)).toBe(2);
    expect(sample(text, `kyc_callbacks_total{provider="${callbacks.provider}",code="503"}`)).toBe(1);
    expect(sample(text, `kyc_callbacks_total{provider="${callbacks.provider}",code="400"}`)).toBe(1);
    expect(sample(text, `kyc_callback_events_total{provider="${callbacks.provider}",result="accepted"}`)).toBe(2);
    expect(
      sample(text, `kyc_callback_events_total{provider="${callbacks.provider}",result="temporal_unavailable"}`),
    ).toBe(1);
    expect(text).toContain('# TYPE kyc_handover_seconds histogram');
    expect(sample(text, `kyc_handover_seconds_count{provider="${callbacks.provider}",result="accepted"}`)).toBe(2);
    expect(
      sample(text, `kyc_handover_seconds_bucket{le="+Inf",provider="${callbacks.provider}",result="accepted"}`),
    ).toBe(2);
    expect(
      sample(text, `kyc_handover_seconds_count{provider="${callbacks.provider}",result="temporal_unavailable"}`),
    ).toBe(1);
    expect(sample(text, `kyc_callback_seconds_count{provider="${callbacks.provider}"}`)).toBe(4);
    // Default process metrics.
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('with METRICS_PORT, serves metrics, health and readiness there and not on the webhook port', async () => {
    const config = loadConfig({ ...env(), METRICS_PORT: '0' });
    const metrics = new IngressMetrics();
    const app = createIngressApp({ client: fakeClient(async () => ({})), config, logger: silentLogger, metrics });
    expect((await post(app)).status).toBe(200);
    expect((await request(app).get('/metrics')).status).toBe(404);

    let ready = true;
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      sources: [() => metrics.render(), async () => 'temporal_worker_start{} 1\n'],
      readiness: [async () => (ready ? { ready: true } : { ready: false, reason: 'worker_draining' })],
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const scraped = await (await fetch(`${base}/metrics`)).text();
      expect(sample(scraped, `kyc_callbacks_total{provider="${callbacks.provider}",code="200"}`)).toBe(1);
      expect(scraped).toContain('temporal_worker_start{} 1');
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      ready = false;
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'unavailable', reasons: ['worker_draining'] });
    } finally {
      await server.close();
    }
  });
});
