/**
 * Many verifications falling back to polling at once, against a provider simulator whose calls
 * are counted per second: the real verification workflow on a real dev server, its provider calls
 * on the rate-limited per-provider retrieval queue, as `npm start` runs them. The retrieval worker
 * joins only once every verification is waiting for its poll (an outage's end), so the whole
 * backlog competes for the limit. Shared by test/integration/poll-flood.test.ts (hundreds) and
 * `npm run chaos` (thousands).
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import { startAttestrSimulator } from '../../src/providers/attestr/testing/simulator';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { createRetrievalWorkers, createWorker, providerPolicies, retrievalClients } from '../../src/worker';
import { testClient, testConfig, testWorkflowSource } from './stack';

export interface PollFloodOptions {
  verifications: number;
  /** ATTESTR_MAX_POLLS_PER_SECOND. */
  limit: number;
  /** Verifications started at once. */
  startConcurrency?: number;
  log?: (line: string) => void;
}

export interface PollFloodReport {
  verifications: number;
  limit: number;
  /** Retrieval calls the simulator served. */
  calls: number;
  /** Verifications that ended COMPLETED with the simulator's result. */
  finished: number;
  /** The most calls the simulator saw within any one second. */
  peakPerSecond: number;
  /** The most calls within any five seconds, divided by five. */
  peakPerSecondOver5s: number;
  /** Calls in each second from the first call on. */
  perSecond: number[];
  /** The most calls within any one second after the first five (past the server's initial burst). */
  peakPerSecondAfterBurst: number;
  /** From the first call to the last, seconds. */
  spanSeconds: number;
  /** Starting every verification, seconds. */
  startSeconds: number;
  totalSeconds: number;
  problems: string[];
}

/** The most of the sorted `times` within any window of `windowMs`. */
export function peakInWindow(times: number[], windowMs: number): number {
  let peak = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

function perSecond(times: number[]): number[] {
  const counts: number[] = [];
  for (const t of times) {
    const second = Math.floor((t - times[0]!) / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (n) => n ?? 0);
}

/** A loopback proxy in front of the simulator that notes when each call arrives. */
async function countingProxy(target: string): Promise<{ url: string; times: number[]; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const times: number[] = [];
  const server: Server = createServer((req, res) => {
    times.push(Date.now());
    const upstream = request(
      { host: hostname, port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    times,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function inParallel<T>(items: T[], concurrency: number, each: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
    }),
  );
}

export async function runPollFlood(env: TestWorkflowEnvironment, options: PollFloodOptions): Promise<PollFloodReport> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const sim = await startAttestrSimulator();
  const proxy = await countingProxy(sim.url);
  const config = testConfig(
    {
      KYC_PROVIDERS: 'attestr',
      ATTESTR_API_BASE_URL: `${proxy.url}/api/v2`,
      ATTESTR_AUTH_TOKEN: sim.authToken,
      ATTESTR_CLIENT_SECRET: sim.clientSecret,
      ATTESTR_WEBHOOK_AUTH: `basic:${sim.webhookToken}`,
      // No callback ever comes: every verification falls back to polling after a second.
      ATTESTR_CALLBACK_GRACE: '1s',
      ATTESTR_MAX_POLLS_PER_SECOND: String(options.limit),
    },
    env.address,
  );
  const client = testClient(env, config);
  const kyc = new KycClient(client, config);
  const { worker } = await createWorker(config, {
    connection: env.nativeConnection,
    workflows: testWorkflowSource(),
    activityDeps: {
      retrieval: retrievalClients(config),
      policies: providerPolicies(config, { retrievalQueues: true }),
    },
  });
  const running = [worker.run()];
  const retrievalWorkers: Awaited<ReturnType<typeof createRetrievalWorkers>> = [];
  const problems: string[] = [];
  try {
    const references = Array.from({ length: options.verifications }, () => randomUUID());
    // An async request: its outcome is final at the first look (a flow's poll-found result waits
    // for the event that names it), so each verification asks exactly once.
    for (const reference of references) sim.script(reference, { kind: 'async', status: 'COMPLETED' });
    await inParallel(references, options.startConcurrency ?? 16, async (reference) => {
      await kyc.startVerification({ provider: 'attestr', reference, context: { kind: 'async' } });
    });
    const startSeconds = (Date.now() - began) / 1000;
    log(`poll flood: ${references.length} verifications started in ${startSeconds.toFixed(1)} s; retrieval joins`);

    // The outage ends: every verification's poll is waiting on the queue when the retrieval worker joins.
    retrievalWorkers.push(...(await createRetrievalWorkers(config, env.nativeConnection)));
    running.push(...retrievalWorkers.map((each) => each.run()));

    let finished = 0;
    await inParallel(references, 16, async (reference) => {
      const state = (await client.workflow
        .getHandle(kycWorkflowId('attestr', reference))
        .result()) as VerificationState;
      if (state.status === 'COMPLETED') finished += 1;
      else problems.push(`${reference}: ${state.status}`);
    });
    const times = [...proxy.times].sort((a, b) => a - b);
    return {
      verifications: references.length,
      limit: options.limit,
      calls: times.length,
      finished,
      peakPerSecond: peakInWindow(times, 1000),
      perSecond: perSecond(times),
      peakPerSecondAfterBurst: peakInWindow(
        times.filter((t) => t >= times[0]! + 5000),
        1000,
      ),
      peakPerSecondOver5s: peakInWindow(times, 5000) / 5,
      spanSeconds: times.length ? (times[times.length - 1]! - times[0]!) / 1000 : 0,
      startSeconds,
      totalSeconds: (Date.now() - began) / 1000,
      problems,
    };
  } finally {
    for (const each of [worker, ...retrievalWorkers]) if (each.getState() === 'RUNNING') each.shutdown();
    await Promise.allSettled(running);
    await proxy.close();
    await sim.close();
  }
}

export function describePollFlood(report: PollFloodReport): string {
  return (
    `poll flood: ${report.verifications} verifications, ${report.finished} finished; ${report.calls} calls in ` +
    `${report.spanSeconds.toFixed(1)} s, peak ${report.peakPerSecond} in one second ` +
    `(${report.peakPerSecondAfterBurst} after the first 5 s, ${report.peakPerSecondOver5s.toFixed(1)}/s over 5 s), ` +
    `first seconds [${report.perSecond.slice(0, 20).join(' ')}], limit ${report.limit}/s; ` +
    `starts ${report.startSeconds.toFixed(1)} s, total ${report.totalSeconds.toFixed(1)} s`
  );
}

/**
 * What "never above the limit" can mean against the server's token bucket: within any five
 * seconds at most five seconds' worth plus one second of burst (a loaded worker may also run a
 * few fetched calls together), and the whole run no faster than the limit after a short burst.
 * A loaded machine only makes it slower.
 */
export function exceedsTheLimit(report: PollFloodReport): string[] {
  const failures: string[] = [];
  if (report.peakPerSecondOver5s * 5 > 6 * report.limit) {
    failures.push(`${report.peakPerSecondOver5s * 5} calls within five seconds at ${report.limit}/s`);
  }
  if (report.spanSeconds < (report.calls - 3 * report.limit) / report.limit) {
    failures.push(`${report.calls} calls in ${report.spanSeconds} s at ${report.limit}/s`);
  }
  return failures;
}
