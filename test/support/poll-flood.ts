/**
 * Many verifications falling back to polling at once, against a provider whose retrievals (each
 * a call to its API) are counted per second: the real verification workflow on a real dev server,
 * its provider calls on the rate-limited per-provider retrieval queue, as `npm start` runs them.
 * The retrieval worker joins only once every verification is waiting for its poll (an outage's
 * end), so the whole backlog competes for the limit. The provider: the first registered one whose
 * API holds a story's verdict from the start (its testing kit's simulator). Shared by
 * test/integration/poll-flood.test.ts (hundreds) and `npm run chaos` (thousands).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import type { RetrievalClient } from '../../src/providers/types';
import { providerVariable } from '../../src/providers/settings';
import { startSimulators } from '../../src/testing/simulators';
import type { VerificationState } from '../../src/verification/model';
import { kycWorkflowId } from '../../src/contracts';
import { createRetrievalWorkers, createWorker, providerPolicies, retrievalClients } from '../../src/worker';
import { testClient, testConfig, testWorkflowSource } from './stack';

export interface PollFloodOptions {
  verifications: number;
  /** The provider's MAX_POLLS_PER_SECOND. */
  limit: number;
  /** Verifications started at once. */
  startConcurrency?: number;
  log?: (line: string) => void;
}

export interface PollFloodReport {
  verifications: number;
  limit: number;
  /** Retrieval calls made to the provider. */
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

/** The provider's retrieval client, noting when each call is made. */
function countingClients(clients: Partial<Record<string, RetrievalClient>>): {
  clients: Partial<Record<string, RetrievalClient>>;
  times: number[];
} {
  const times: number[] = [];
  return {
    times,
    clients: Object.fromEntries(
      Object.entries(clients).map(([provider, client]) => [
        provider,
        {
          retrieve: (reference: string, context: Record<string, string>) => {
            times.push(Date.now());
            return client!.retrieve(reference, context);
          },
        },
      ]),
    ),
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
  // The first registered provider with a story whose verdict its API holds from the start.
  const sims = await startSimulators();
  const chosen = sims.providers.find(({ kit }) => Object.values(kit.stories).some((story) => story.apiKnowsFromStart));
  if (!chosen) throw new Error('no registered provider has a story its API knows from the start');
  const { provider, kit, sim } = chosen;
  const story = Object.values(kit.stories).find((each) => each.apiKnowsFromStart)!;
  const config = testConfig(
    {
      ...kit.environment(sim),
      KYC_PROVIDERS: provider,
      // No callback ever comes: every verification falls back to polling after a second.
      [providerVariable(provider, 'CALLBACK_GRACE')]: '1s',
      [providerVariable(provider, 'MAX_POLLS_PER_SECOND')]: String(options.limit),
    },
    env.address,
  );
  const counted = countingClients(retrievalClients(config));
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
    const starts = Array.from({ length: options.verifications }, () => story.play(sim).start);
    await inParallel(starts, options.startConcurrency ?? 16, async (start) => {
      await kyc.startVerification(start);
    });
    const startSeconds = (Date.now() - began) / 1000;
    log(
      `poll flood: ${starts.length} ${provider} verifications started in ${startSeconds.toFixed(1)} s; retrieval joins`,
    );

    // The outage ends: every verification's poll is waiting on the queue when the retrieval worker joins.
    retrievalWorkers.push(
      ...(await createRetrievalWorkers(config, env.nativeConnection, {
        retrieval: counted.clients,
        policies: providerPolicies(config),
      })),
    );
    running.push(...retrievalWorkers.map((each) => each.run()));

    let finished = 0;
    await inParallel(starts, 16, async ({ reference }) => {
      const state = (await client.workflow.getHandle(kycWorkflowId(provider, reference)).result()) as VerificationState;
      if (state.status === story.truth.status && state.decision === story.truth.decision) finished += 1;
      else problems.push(`${reference}: ${state.status}/${state.decision ?? '-'}`);
    });
    const times = [...counted.times].sort((a, b) => a - b);
    return {
      verifications: starts.length,
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
    await sims.close();
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
