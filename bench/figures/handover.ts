/**
 * Figure 1 (hand-over through the ingress against the same signalWithStart from a bare client),
 * the overload run (the in-flight limit at 10x the saturating rate), and what the dev server's
 * SQLite pragmas buy.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  directHandOver,
  loadCallback,
  loadHeaders,
  loadPath,
  loadStory,
  normalised,
  type BenchContext,
} from '../lib/context';
import { drained } from '../lib/drain';
import { closedLoop, httpLoad, withConcurrency, type LoadResult } from '../lib/load';
import { meanBetween, delta, scrape } from '../lib/metrics';
import { openLoop, type SecondOfLoad } from '../lib/open-loop';
import { cpuSecondsOf, sleep } from '../lib/processes';
import { row } from '../lib/report';
import { startIngress, startTemporalSide, startUnboundedIngress, startWorker } from '../lib/stack';
import { repeated } from '../lib/stats';

/** Runs `a` and `b` alternately, after one warm-up of each, so drift hits both alike. */
export async function sideBySide<R extends LoadResult = LoadResult>(
  context: BenchContext,
  label: string,
  a: (durationS: number) => Promise<R>,
  b: (durationS: number) => Promise<R>,
  durationS = context.settings.durationS,
): Promise<{ a: R[]; b: R[] }> {
  const { warmupS, repetitions } = context.settings;
  await a(warmupS);
  await b(warmupS);
  const results = { a: [] as R[], b: [] as R[] };
  for (let rep = 0; rep < repetitions; rep += 1) {
    results.a.push(await a(durationS));
    results.b.push(await b(durationS));
    const brief = (r: LoadResult) =>
      `${r.rate.toFixed(1)}/s p50 ${r.p50.toFixed(0)} p99 ${r.p99.toFixed(0)} ms ${JSON.stringify(r.statuses)} failed ${r.failed}`;
    context.log(`  ${label} rep ${rep + 1}: ${brief(results.a.at(-1)!)} vs ${brief(results.b.at(-1)!)}`);
  }
  return results;
}

const rates = (results: LoadResult[]) => repeated(results.map((r) => r.rate));
const p99s = (results: LoadResult[]) => repeated(results.map((r) => r.p99));
const p50s = (results: LoadResult[]) => repeated(results.map((r) => r.p50));

/** A terminal callback: each starts a verification and ends it, so load runs leave nothing open. */
const freshBody = (context: BenchContext) => () => loadCallback(context, 'verdict', randomUUID()).body;

/** `connections`: the load levels (the cluster run takes only the saturating one, c50, to keep the run short). */
export async function handOverFigure(context: BenchContext, connectionLevels: number[] = [10, 50]): Promise<void> {
  const fixed = Array.from({ length: 50 }, (): string => randomUUID());
  await withConcurrency(fixed, 10, async (reference) => {
    await context.kyc.startVerification(loadStory(context, reference).start);
  });
  let tick = 0;
  const toFixed = () =>
    loadCallback(context, 'progress', fixed[tick++ % fixed.length], new Date(Date.now() + tick)).body;
  const scenarios = [
    { key: 'new', name: 'new verification per callback', body: freshBody(context) },
    { key: 'open', name: `callbacks to ${fixed.length} open verifications`, body: toFixed },
  ];
  const url = `${context.ingress.url}${loadPath(context)}`;
  const headers = loadHeaders(context);
  for (const scenario of scenarios) {
    for (const connections of connectionLevels) {
      const label = `${scenario.name}, c${connections}`;
      const before = await scrape(context.kycWorker.metricsUrl);
      const cpuBefore = cpuOfStack(context);
      const t0 = Date.now();
      const { a, b } = await sideBySide(
        context,
        label,
        (durationS) => httpLoad({ url, connections, durationS, headers, body: scenario.body }),
        (durationS) =>
          closedLoop(connections, durationS, () =>
            directHandOver(context, context.client, normalised(context, scenario.body())),
          ),
      );
      const after = await scrape(context.kycWorker.metricsUrl);
      const baseline = 'bare client signalWithStart';
      context.rows.push(
        row('1', `hand-over, ${label}: callbacks/s`, '/s', rates(a), baseline, rates(b), { on: 'ratio', atLeast: 0.9 }),
        row('1', `hand-over, ${label}: p99`, 'ms', p99s(a), baseline, p99s(b), { on: 'ratio', atMost: 1.3 }),
        row('1', `hand-over, ${label}: p50`, 'ms', p50s(a), baseline, p50s(b)),
      );
      context.diagnostics[`during ${label}`] = {
        ...workerTaskFigures(before, after),
        cpuShare: cpuShare(cpuBefore, cpuOfStack(context), (Date.now() - t0) / 1000),
      };
      if (scenario.key === 'new' && connections === 50) context.diagnostics.saturatingRate = rates(b).median;
    }
  }
}

/** CPU seconds used so far by the dev server, our worker, an ingress (ours by default) and the bench itself. */
function cpuOfStack(context: BenchContext, ingressPid = context.ingress.child.process.pid) {
  return {
    devServer: cpuSecondsOf(context.side.devServer.pid),
    worker: cpuSecondsOf(context.kycWorker.child.process.pid),
    ingress: cpuSecondsOf(ingressPid),
    bench: cpuSecondsOf(process.pid),
  };
}

/** Share of one core each process used over `seconds` (1 = a whole core). */
function cpuShare(before: ReturnType<typeof cpuOfStack>, after: ReturnType<typeof cpuOfStack>, seconds: number) {
  const share = (key: keyof typeof before) => Number(((after[key] - before[key]) / seconds).toFixed(2));
  return { devServer: share('devServer'), worker: share('worker'), ingress: share('ingress'), bench: share('bench') };
}

/** Where a workflow task's time goes, from the SDK's own metrics (Core exports milliseconds). */
function workerTaskFigures(before: Map<string, number>, after: Map<string, number>) {
  const ms = (name: string) => {
    const mean = meanBetween(before, after, name);
    return mean === undefined ? undefined : Number(mean.toFixed(1));
  };
  return {
    workflowTasks: delta(before, after, 'temporal_workflow_task_execution_latency_count'),
    meanScheduleToStartMs: ms('temporal_workflow_task_schedule_to_start_latency'),
    meanExecutionMs: ms('temporal_workflow_task_execution_latency'),
    meanReplayMs: ms('temporal_workflow_task_replay_latency'),
    meanActivationMs: ms('temporal_workflow_activation_execution_latency'),
    stickyCacheHits: delta(before, after, 'temporal_sticky_cache_hit'),
    stickyCacheMisses: delta(before, after, 'temporal_sticky_cache_miss'),
    stickyCacheForcedEvictions: delta(before, after, 'temporal_sticky_cache_total_forced_eviction'),
    workflowTaskFailures: delta(before, after, 'temporal_workflow_task_execution_failed'),
  };
}

/**
 * A flood: 10x the saturating rate (the bare client's signal-with-start rate at c50, from figure 1
 * or measured here), a true open loop (bench/lib/open-loop.ts), against the ingress with its limit
 * and the same ingress with no limit, alternately. Each run starts on a quiet server: the backlog a
 * run leaves (the hand-overs the unbounded ingress gave up on still run in Temporal) is drained
 * first, so it does not slow the other side's run. Prints the answers of every second, with the
 * limit as the ingress reports it.
 */
export async function overloadFigure(context: BenchContext): Promise<void> {
  const saturating = await saturatingRate(context);
  const offered = Math.max(50, Math.round(saturating * 10));
  const durationS = Math.max(10, 2 * context.settings.durationS);
  const unbounded = await startUnboundedIngress(context.env, join(context.logDir, 'ingress-unbounded.log'));
  // An ingress of the figure's own: the limit a flood leaves behind (shrunk, probing) is not what the
  // figures after this one measure through the bench's ingress.
  const limited = await startIngress(context.env, join(context.logDir, 'ingress-flooded.log'));
  const trace: Record<string, unknown>[] = [];
  try {
    const headers = loadHeaders(context);
    const flood = (side: string, base: string, ingressPid: number | undefined) => {
      let run = 0;
      return async (seconds: number) => {
        const name = `${side} ${run++ === 0 ? 'warm-up' : `rep ${run - 1}`}`;
        await drained(context);
        const cpuBefore = cpuOfStack(context, ingressPid);
        const t0 = Date.now();
        const gauges = sampleGauges(`${base}/metrics`);
        const result = await openLoop({
          url: `${base}${loadPath(context)}`,
          rate: offered,
          durationS: seconds,
          headers,
          body: freshBody(context),
        });
        const limits = await gauges.stop();
        const cpu = cpuShare(cpuBefore, cpuOfStack(context, ingressPid), (Date.now() - t0) / 1000);
        // The gauges as they stood at the end of each second.
        const perSecond = result.perSecond.map((second, i) => ({ ...second, ...limits[i + 1] }));
        for (const second of perSecond) context.log(`    ${name} ${secondLine(second)}`);
        context.log(
          `    ${name} CPU (cores): ${Object.entries(cpu)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
        trace.push({ run: name, sent: result.sent, cpuShare: cpu, perSecond });
        return result;
      };
    };
    const { a, b } = await sideBySide(
      context,
      `overload ${offered}/s`,
      flood('limit', limited.url, limited.child.process.pid),
      flood('no limit', unbounded.url, unbounded.child.process.pid),
      durationS,
    );
    const baseline = 'same ingress, no limit';
    const label = `${offered}/s offered (10x saturating)`;
    context.rows.push(
      row('1+', `overload, ${label}: accepted/s`, '/s', rates(a), baseline, rates(b), { on: 'ratio', atLeast: 0.8 }),
      row('1+', `overload, ${label}: ack p99 (every answer)`, 'ms', p99s(a), baseline, p99s(b), {
        on: 'value',
        atMost: 5000,
      }),
      row(
        '1+',
        `overload, ${label}: accepted/s`,
        '/s',
        rates(a),
        'the saturating rate (bare client signalWithStart, c50, no flood)',
        repeated([saturating]),
      ),
      row(
        '1+',
        `overload, ${label}: share answered 503`,
        '%',
        repeated(a.map(share503)),
        baseline,
        repeated(b.map(share503)),
      ),
    );
    context.diagnostics.overload = { saturatingRate: saturating, offered, durationS, runs: trace };
  } finally {
    await unbounded.child.stop();
    await limited.child.stop();
  }
}

/** Figure 1's saturating rate, or the same measure taken here when figure 1 did not run. */
async function saturatingRate(context: BenchContext): Promise<number> {
  const known = context.diagnostics.saturatingRate;
  if (typeof known === 'number') return known;
  const body = freshBody(context);
  const run = (durationS: number) =>
    closedLoop(50, durationS, () => directHandOver(context, context.client, normalised(context, body())));
  await run(context.settings.warmupS);
  const measured = await run(context.settings.durationS);
  await drained(context);
  context.log(`  saturating rate (bare client signalWithStart, c50): ${measured.rate.toFixed(1)}/s`);
  context.diagnostics.saturatingRate = measured.rate;
  return measured.rate;
}

/** The ingress's limit gauges, read once a second until stopped (the unbounded ingress's limit never binds). */
function sampleGauges(metricsUrl: string) {
  const samples: { limit?: number; inFlight?: number; noLoadMs?: number }[] = [];
  const started = Date.now();
  const timer = setInterval(() => {
    const index = Math.floor((Date.now() - started) / 1000);
    void scrape(metricsUrl).then(
      (gauges) => {
        const noLoad = gauges.get('kyc_handover_no_load_seconds');
        samples[index] = {
          limit: gauges.get('kyc_handover_limit'),
          inFlight: gauges.get('kyc_handovers_in_flight'),
          ...(noLoad ? { noLoadMs: Math.round(noLoad * 1000) } : {}),
        };
      },
      () => undefined,
    );
  }, 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await sleep(100);
      return samples;
    },
  };
}

function secondLine(second: SecondOfLoad & { limit?: number; inFlight?: number; noLoadMs?: number }): string {
  const parts = [
    `s${String(second.second).padStart(2)}: accepted ${String(second.accepted).padStart(3)}/s`,
    `503 ${String(second.refused).padStart(3)}/s`,
    `other ${second.other}`,
    `p99 ${second.p99} ms`,
  ];
  if (second.limit !== undefined && second.limit < 1e6) parts.push(`limit ${second.limit}`);
  if (second.inFlight !== undefined) parts.push(`in flight ${second.inFlight}`);
  if (second.noLoadMs !== undefined && second.limit !== undefined && second.limit < 1e6)
    parts.push(`no-load ${second.noLoadMs} ms`);
  return parts.join(', ');
}

function share503(result: LoadResult): number {
  const total = Object.values(result.statuses).reduce((sum, n) => sum + n, 0);
  return total ? (100 * (result.statuses['503'] ?? 0)) / total : 0;
}

/**
 * New verifications per second with `journal_mode=wal` and `synchronous=normal`, against SQLite's
 * defaults: two fresh dev servers (so neither carries the other figures' data), each with its worker.
 */
export async function sqliteFigure(context: BenchContext): Promise<void> {
  const sides = await Promise.all([
    startTemporalSide('wal', ['journal_mode=wal', 'synchronous=normal']),
    startTemporalSide('sqlite-defaults'),
  ]);
  const workers = await Promise.all(
    sides.map((side, i) =>
      startWorker({
        kind: 'kyc',
        env: { ...context.env, TEMPORAL_ADDRESS: side.devServer.address },
        bundlePath: context.bundlePath,
        logFile: join(context.logDir, `worker-sqlite-${i}.log`),
      }),
    ),
  );
  try {
    const body = freshBody(context);
    const load = (client: typeof context.client) => (durationS: number) =>
      closedLoop(50, durationS, () => directHandOver(context, client, normalised(context, body())));
    const [tuned, plain] = sides;
    const { a, b } = await sideBySide(context, 'sqlite wal+normal', load(tuned.client), load(plain.client));
    const baseline = 'SQLite defaults';
    context.rows.push(
      row('S', 'dev server wal+normal: new verifications/s (c50)', '/s', rates(a), baseline, rates(b)),
      row('S', 'dev server wal+normal: p99 (c50)', 'ms', p99s(a), baseline, p99s(b)),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.child.stop()));
    await Promise.all(sides.map((side) => side.stop()));
  }
}
