/**
 * A true open loop: requests leave at a fixed rate, evenly spaced, whatever the answers take, each
 * on a connection of its own when the others are busy (as callbacks from many provider servers
 * would). autocannon's rate mode is not that: each connection waits for its answer before the next
 * request, and every connection sends at the start of each second, one burst a second.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LoadResult } from './load';
import { latencySummary } from './stats';

export interface OpenLoopLoad {
  url: string;
  /** Requests per second, evenly spaced. */
  rate: number;
  durationS: number;
  headers: Record<string, string>;
  /** A fresh body for every request. */
  body: () => string;
  timeoutS?: number;
  /** Called once a second with that second's answers (after they are counted). */
  onSecond?: (second: SecondOfLoad) => void;
}

/** The answers that arrived in one second of the run. */
export interface SecondOfLoad {
  second: number;
  sent: number;
  accepted: number;
  refused: number;
  /** Other answers, errors and timeouts. */
  other: number;
  /** Latency of the answers that arrived this second, every answer counted once (ms). */
  p99: number;
}

export interface OpenLoopResult extends LoadResult {
  /** Requests sent within the duration. */
  sent: number;
  perSecond: SecondOfLoad[];
}

/**
 * Sends `rate` requests a second for `durationS` seconds. Like autocannon, only answers that arrive
 * within the duration count (2xx per second is `rate` in the result); latency percentiles are over
 * every such answer, each counted once (no coordinated-omission correction: nothing waits to send).
 * Resolves once every request sent has been answered or has timed out, so the next run starts clean.
 */
export async function openLoop(load: OpenLoopLoad): Promise<OpenLoopResult> {
  const url = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const timeoutMs = (load.timeoutS ?? 30) * 1000;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const seconds: (SecondOfLoad & { latencies: number[] })[] = [];
  const secondAt = (index: number) =>
    (seconds[index] ??= { second: index + 1, sent: 0, accepted: 0, refused: 0, other: 0, p99: 0, latencies: [] });
  const started = performance.now();
  const endsAt = started + load.durationS * 1000;
  const outstanding = new Set<Promise<void>>();

  const answered = (sentAt: number, status: number | undefined) => {
    const at = performance.now();
    if (at > endsAt) return;
    const latency = at - sentAt;
    const second = secondAt(Math.floor((at - started) / 1000));
    second.latencies.push(latency);
    latencies.push(latency);
    const key = status === undefined ? 'error' : String(status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (status !== undefined && status >= 200 && status < 300) second.accepted += 1;
    else if (status === 503) second.refused += 1;
    else second.other += 1;
  };

  const send = () => {
    const sentAt = performance.now();
    secondAt(Math.floor((sentAt - started) / 1000)).sent += 1;
    const body = load.body();
    const done = new Promise<void>((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...load.headers },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.once('end', () => {
            answered(sentAt, res.statusCode);
            resolve();
          });
          res.once('error', () => {
            answered(sentAt, undefined);
            resolve();
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', () => {
        answered(sentAt, undefined);
        resolve();
      });
      req.end(body);
    });
    outstanding.add(done);
    void done.then(() => outstanding.delete(done));
  };

  let sent = 0;
  let reported = 0;
  const report = (upTo: number) => {
    for (; reported < upTo; reported += 1) {
      const second = secondAt(reported);
      second.p99 = Math.round(latencySummary(second.latencies).p99 || 0);
      load.onSecond?.(withoutLatencies(second));
    }
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(Math.floor(((now - started) / 1000) * load.rate), Math.floor(load.durationS * load.rate));
      for (; sent < due; sent += 1) send();
      // A second is reported once it is over (its answers are in).
      report(Math.min(Math.floor((now - started) / 1000), Math.ceil(load.durationS)));
      if (now >= endsAt) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  report(Math.ceil(load.durationS));
  await Promise.all(outstanding);
  agent.destroy();
  const accepted = seconds.reduce((sum, second) => sum + second.accepted, 0);
  const { p50, p99 } = latencySummary(latencies);
  return {
    rate: accepted / load.durationS,
    p50,
    p99,
    ok: accepted,
    failed: latencies.length - accepted,
    statuses,
    sent,
    perSecond: seconds.slice(0, Math.ceil(load.durationS)).map(withoutLatencies),
  };
}

function withoutLatencies(second: SecondOfLoad & { latencies?: number[] }): SecondOfLoad {
  const { latencies: _latencies, ...rest } = second;
  return rest;
}
