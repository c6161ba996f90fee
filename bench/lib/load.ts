/**
 * Load generation: autocannon for HTTP (closed loop, `connections` requests in flight, or open
 * loop at a fixed rate), and the same closed loop for calls made directly through a client.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { latencySummary } from './stats';

export interface LoadResult {
  /** Successful (2xx, or resolved) operations per second. */
  rate: number;
  p50: number;
  p99: number;
  ok: number;
  /** Non-2xx answers, errors and timeouts. */
  failed: number;
  /** Answers by status code (HTTP only). */
  statuses: Record<string, number>;
}

export interface HttpLoad {
  url: string;
  connections: number;
  durationS: number;
  headers: Record<string, string>;
  /** A fresh body for every request. */
  body: () => string;
  /** Open loop: this many requests per second in total, whatever the answers take. */
  overallRate?: number;
  timeoutS?: number;
}

export async function httpLoad(load: HttpLoad): Promise<LoadResult> {
  const result = await autocannon({
    url: load.url,
    method: 'POST',
    connections: load.connections,
    duration: load.durationS,
    headers: { 'content-type': 'application/json', ...load.headers },
    timeout: load.timeoutS ?? 30,
    ...(load.overallRate ? { overallRate: load.overallRate } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, body: load.body() }) }],
  });
  const statuses: Record<string, number> = {};
  const codes = (result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  for (const [code, stat] of Object.entries(codes)) statuses[code] = stat.count;
  const ok = result['2xx'];
  return {
    rate: ok / load.durationS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    statuses,
  };
}

/**
 * `concurrency` loops calling `operation` back to back until the time is up. Counted as
 * autocannon counts: only operations that complete within the duration, divided by it.
 */
export async function closedLoop(
  concurrency: number,
  durationS: number,
  operation: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await operation(counter++);
        if (performance.now() <= deadline) latencies.push(performance.now() - t0);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const { p50, p99 } = latencySummary(latencies);
  return { rate: latencies.length / durationS, p50, p99, ok: latencies.length, failed, statuses: {} };
}

/** Runs `work` for every item with at most `concurrency` at once. */
export async function withConcurrency<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
