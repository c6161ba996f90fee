/**
 * A small Prometheus text registry: counters and a latency summary are all the ingress needs,
 * and owning them keeps label values under our control (provider IDs and outcome words only).
 */
type Labels = Record<string, string>;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = JSON.stringify(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  render(type = 'counter'): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${type}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${formatLabels(labels)} ${value}`);
    return lines;
  }
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class IngressMetrics {
  readonly callbacks = new Counter('kyc_callbacks_total', 'Callback requests by provider and HTTP outcome.');
  readonly events = new Counter('kyc_callback_events_total', 'Events handed to Temporal by provider and result.');
  private readonly latencySum = new Counter('kyc_callback_seconds_sum', 'Total time spent answering callbacks.');
  private readonly latencyCount = new Counter('kyc_callback_seconds_count', 'Callbacks timed.');

  observeLatency(provider: string, seconds: number): void {
    this.latencySum.inc({ provider }, seconds);
    this.latencyCount.inc({ provider });
  }

  render(): string {
    return (
      [
        ...this.callbacks.render(),
        ...this.events.render(),
        ...this.latencySum.render('gauge'),
        ...this.latencyCount.render('counter'),
      ].join('\n') + '\n'
    );
  }
}
