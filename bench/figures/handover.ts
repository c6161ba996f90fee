/**
 * Figure 1 (hand-over through the ingress against the same signalWithStart from a bare client),
 * the overload run (the in-flight bound at 10x the saturating rate), and what the dev server's
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
import { closedLoop, httpLoad, withConcurrency, type LoadResult } from '../lib/load';
import { meanBetween, delta, scrape } from '../lib/metrics';
import { cpuSecondsOf } from '../lib/processes';
import { row } from '../lib/report';
import { startTemporalSide, startUnboundedIngress, startWorker } from '../lib/stack';
import { repeated } from '../lib/stats';

/** Runs `a` and `b` alternately, after one warm-up of each, so drift hits both alike. */
export async function sideBySide(
  context: BenchContext,
  label: string,
  a: (durationS: number) => Promise<LoadResult>,
  b: (durationS: number) => Promise<LoadResult>,
): Promise<{ a: LoadResult[]; b: LoadResult[] }> {
  const { durationS, warmupS, repetitions } = context.settings;
  await a(warmupS);
  await b(warmupS);
  const results = { a: [] as LoadResult[], b: [] as LoadResult[] };
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

export async function handOverFigure(context: BenchContext): Promise<void> {
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
    for (const connections of [10, 50]) {
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

/** CPU seconds used so far by the dev server, our worker, our ingress and the bench itself. */
function cpuOfStack(context: BenchContext) {
  return {
    devServer: cpuSecondsOf(context.side.devServer.pid),
    worker: cpuSecondsOf(context.kycWorker.child.process.pid),
    ingress: cpuSecondsOf(context.ingress.child.process.pid),
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
 * The bound on hand-overs in flight: at 10x the saturating rate (open loop), the bounded ingress
 * answers 503 + Retry-After beyond the bound; the baseline is the same ingress with no bound.
 */
export async function overloadFigure(context: BenchContext): Promise<void> {
  const saturating = Number(context.diagnostics.saturatingRate ?? 50);
  const offered = Math.max(50, Math.round(saturating * 10));
  const unbounded = await startUnboundedIngress(context.env, join(context.logDir, 'ingress-unbounded.log'));
  try {
    const headers = loadHeaders(context);
    const load = (base: string) => (durationS: number) =>
      httpLoad({
        url: `${base}${loadPath(context)}`,
        connections: 400,
        overallRate: offered,
        durationS,
        headers,
        body: freshBody(context),
      });
    const { a, b } = await sideBySide(context, `overload ${offered}/s`, load(context.ingress.url), load(unbounded.url));
    const baseline = 'same ingress, no limit';
    const label = `${offered}/s offered (10x saturating)`;
    context.rows.push(
      row('1+', `overload, ${label}: ack p99 (all answers)`, 'ms', p99s(a), baseline, p99s(b), {
        on: 'value',
        atMost: 5000,
      }),
      row('1+', `overload, ${label}: accepted/s`, '/s', rates(a), baseline, rates(b)),
      row(
        '1+',
        `overload, ${label}: share answered 503`,
        '%',
        repeated(a.map(share503)),
        baseline,
        repeated(b.map(share503)),
      ),
    );
  } finally {
    await unbounded.child.stop();
  }
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
