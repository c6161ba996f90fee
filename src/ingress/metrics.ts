import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from '../observability/prometheus';

/** What the metrics read from the hand-over limit (src/ingress/handover-limit.ts). */
export interface HandoverLimitView {
  readonly limit: number;
  readonly waiting: number;
  readonly noLoadMs: number | undefined;
}

/** Seconds: a hand-over is a few milliseconds normally; providers give up after about 5 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];

/**
 * The ingress's Prometheus metrics. Label values are provider IDs, HTTP codes and outcome words
 * only, never anything from a callback body, so their number stays small and free of personal data.
 */
export class IngressMetrics {
  readonly registry = new Registry();
  readonly callbacks = new Counter({
    name: 'kyc_callbacks_total',
    help: 'Callback requests by provider and HTTP status code answered.',
    labelNames: ['provider', 'code'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'kyc_callback_events_total',
    help: 'Events of callbacks by provider and hand-over outcome (accepted, duplicate, late, temporal_unavailable).',
    labelNames: ['provider', 'result'] as const,
    registers: [this.registry],
  });
  /** The late-verdict alert: a provider's verdict after our own timer closed the verification. */
  readonly lateVerdicts = new Counter({
    name: 'kyc_late_verdicts_total',
    help: 'Provider verdicts that arrived after our own timer had closed the verification (kept as late_verdict).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly handover = new Histogram({
    name: 'kyc_handover_seconds',
    help: 'Time to hand one event durably to Temporal (signal-with-start), by provider and outcome.',
    labelNames: ['provider', 'result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly requests = new Histogram({
    name: 'kyc_callback_seconds',
    help: 'Time to answer a callback request, by provider.',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private handoverLimit: HandoverLimitView | undefined;

  /**
   * The hand-over limit as it moves: what it allows, what waits, and the no-load latency it compares
   * with. The latest app built with these metrics is the one reported.
   */
  trackHandoverLimit(limit: HandoverLimitView): void {
    const first = this.handoverLimit === undefined;
    this.handoverLimit = limit;
    if (!first) return;
    const current = () => this.handoverLimit;
    const gauge = (name: string, help: string, read: (view: HandoverLimitView) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const view = current();
          const value = view && read(view);
          if (value !== undefined) this.set(value);
        },
      });
    gauge(
      'kyc_handover_limit',
      'Hand-overs to Temporal let wait at once right now (503 overloaded beyond).',
      (view) => view.limit,
    );
    gauge('kyc_handovers_in_flight', 'Hand-overs to Temporal waiting right now.', (view) => view.waiting);
    gauge(
      'kyc_handover_no_load_seconds',
      'Latency of a hand-over with nothing else in flight, as the limit last measured it (0 until then).',
      (view) => (view.noLoadMs === undefined ? undefined : view.noLoadMs / 1000),
    );
  }

  observeLatency(provider: string, seconds: number): void {
    this.requests.observe({ provider }, seconds);
  }

  /** Prometheus text: these metrics and the process's. */
  async render(): Promise<string> {
    return (await processMetrics().metrics()) + (await this.registry.metrics());
  }
}
