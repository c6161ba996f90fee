/**
 * Does the sizing model predict this machine? At two offered loads, with one and with two worker
 * processes, verifications of every provider (alike, normal path) are started at a fixed rate
 * (open loop); the model, fed the cost run's unit costs and the CPU the machine's other users
 * took meanwhile, predicts the throughput and each process's CPU; both go side by side into
 * bench/results/capacity-check.json and .md.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { predictMachine, unitOfMix, type MachinePrediction, type UnitCost } from '../capacity/model';
import { providerFlows } from '../figures/end-to-end';
import { sleep } from '../lib/processes';
import { startWorker } from '../lib/stack';
import type { ProviderId } from '../../src/providers/registry';
import type { CostFile } from './cost-file';
import type { RunningStack } from './run';
import { between, takeSnapshot, type Snapshot, type Window } from './snapshot';

export interface CheckSettings {
  /** Offered verifications a second (default: half and one and a half times the predicted capacity). */
  rates?: number[];
  seconds: number;
  workerCounts: number[];
  settleS: number;
  log(line: string): void;
}

const PARTS = ['worker', 'ingress', 'server', 'postgres', 'bench'] as const;
type Part = (typeof PARTS)[number];
/** The first quarter of each run is its ramp: the steady window is the rest of the offered load. */
const RAMP = 0.25;

export interface CheckRow {
  workers: number;
  offeredPerS: number;
  started: number;
  completed: number;
  failed: number;
  steadySeconds: number;
  othersCores: number;
  predicted: MachinePrediction;
  /** CPU of the five parts per verification: the cost run's, and this run's over its steady window (net of idle). */
  cpuMsPerVerification: { predicted: number; measured: number };
  measured: {
    throughputPerS: number;
    cores: Record<Part, number>;
    /** Each worker process's cores over the steady window. */
    workerProcessCores: number[];
  };
}

function coresOf(window: Window, key: string): number {
  return (window.figures[key] ?? NaN) / 1000 / window.seconds;
}

function idleCores(cost: CostFile, workers: number): UnitCost['cpuMs'] {
  const idle = (key: string) => (cost.idle.perSecond[`cpuMs.${key}`] ?? 0) / 1000;
  return {
    worker: idle('worker') * workers,
    ingress: idle('ingress'),
    server: idle('server'),
    postgres: idle('postgres'),
    bench: idle('bench'),
  };
}

/** What the machine's other users took: its busy time less the five parts the model predicts. */
function othersCores(window: Window): number {
  const ours = PARTS.reduce((sum, part) => sum + (window.figures[`cpuMs.${part}`] ?? 0), 0);
  return ((window.figures['cpuMs.machine'] ?? 0) - ours) / 1000 / window.seconds;
}

async function setWorkerCount(stack: RunningStack, count: number): Promise<void> {
  while (stack.kycWorkers.length < count) {
    const n = stack.kycWorkers.length + 1;
    stack.kycWorkers.push(
      await startWorker({
        kind: 'kyc',
        env: stack.env,
        bundlePath: stack.bundlePath,
        logFile: join(stack.logDir, `cost-worker-${n}.log`),
      }),
    );
  }
  while (stack.kycWorkers.length > count) await stack.kycWorkers.pop()!.child.stop();
}

/** Starts verifications at `rate` a second for `seconds`, round robin over the providers; readings at the steady window's edges. */
async function openLoop(stack: RunningStack, providers: ProviderId[], rate: number, seconds: number, settleS: number) {
  const total = Math.round(rate * seconds);
  const completions: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const at = (s: number) => sleep(Math.max(0, t0 + s * 1000 - performance.now()));
  const readings: Promise<Snapshot>[] = [
    at(seconds * RAMP).then(() => takeSnapshot(stack.probes)),
    at(seconds).then(() => takeSnapshot(stack.probes)),
  ];
  const pids = stack.kycWorkers.map((w) => w.child.process.pid);
  const flows = providerFlows(stack.context);
  const runs: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    await at(i / rate);
    const provider = providers[i % providers.length]!;
    runs.push(
      flows
        .get(provider)!
        .run(stack.context)
        .then(
          () => void completions.push((performance.now() - t0) / 1000),
          () => void (failed += 1),
        ),
    );
  }
  const [steadyStart, steadyEnd] = await Promise.all(readings);
  await Promise.all(runs);
  await sleep(settleS * 1000);
  return { total, completions, failed, steady: between(steadyStart!, steadyEnd!), pids };
}

export async function runCapacityCheck(
  stack: RunningStack,
  cost: CostFile,
  settings: CheckSettings,
  resultsDir: string,
): Promise<CheckRow[]> {
  const log = (line: string) => settings.log(line);
  const providers = Object.keys(cost.providers).filter((p): p is ProviderId => providerFlows(stack.context).has(p));
  const mix = Object.fromEntries(providers.map((p) => [p, 1 / providers.length]));
  const unit = unitOfMix(cost, mix, 0);
  const cores = availableParallelism();
  const predict = (offeredPerS: number, workers: number, others: number) =>
    predictMachine({
      offeredPerS,
      workers,
      cores,
      othersCores: others,
      idleCores: idleCores(cost, workers),
      unit,
      coresPerProcess: 1,
    });
  let rates = settings.rates;
  if (!rates) {
    log('check: 15 s look at what the machine has spare, to choose the loads');
    const before = await takeSnapshot(stack.probes);
    await sleep(15_000);
    const others = othersCores(between(before, await takeSnapshot(stack.probes)));
    // Only to choose the loads: a load that asks for CPU gets at least a fair half of a busy machine.
    const capacity = predict(Infinity, 1, Math.min(others, cores / 2)).throughputPerS;
    rates = [0.5, 1.5].map((f) => Math.max(0.2, Math.round(f * capacity * 10) / 10));
    log(
      `check: others took ${others.toFixed(2)} cores; loads ${rates.join(', ')}/s (half and 1.5 times ${capacity.toFixed(2)}/s)`,
    );
  }
  const rows: CheckRow[] = [];
  for (const workers of settings.workerCounts) {
    await setWorkerCount(stack, workers);
    for (const rate of rates) {
      log(`check: ${workers} worker process(es), ${rate}/s for ${settings.seconds} s`);
      const run = await openLoop(stack, providers, rate, settings.seconds, settings.settleS);
      const steadyFrom = settings.seconds * RAMP;
      const inSteady = run.completions.filter((t) => t >= steadyFrom && t <= settings.seconds).length;
      const others = othersCores(run.steady);
      const measuredCores = Object.fromEntries(PARTS.map((p) => [p, coresOf(run.steady, `cpuMs.${p}`)])) as Record<
        Part,
        number
      >;
      const idle = idleCores(cost, workers);
      const busyCores = PARTS.reduce((sum, p) => sum + measuredCores[p] - idle[p], 0);
      const row: CheckRow = {
        workers,
        offeredPerS: rate,
        started: run.total,
        completed: run.completions.length,
        failed: run.failed,
        steadySeconds: run.steady.seconds,
        othersCores: others,
        predicted: predict(rate, workers, others),
        cpuMsPerVerification: {
          predicted: PARTS.reduce((sum, p) => sum + unit.cpuMs[p], 0),
          measured: (busyCores * 1000 * (settings.seconds - steadyFrom)) / Math.max(1, inSteady),
        },
        measured: {
          throughputPerS: inSteady / (settings.seconds - steadyFrom),
          cores: measuredCores,
          workerProcessCores: run.pids.map((_, i) => coresOf(run.steady, `cpuMs.worker${i + 1}`)),
        },
      };
      rows.push(row);
      log(
        `check: predicted ${row.predicted.throughputPerS.toFixed(2)}/s (${row.predicted.limitedBy}), ` +
          `measured ${row.measured.throughputPerS.toFixed(2)}/s; others ${others.toFixed(2)} cores; ${run.failed} failed`,
      );
    }
  }
  await setWorkerCount(stack, 1);
  const file = {
    what: "The sizing model's prediction for this machine against what it did",
    costFrom: { startedAt: cost.startedAt, uptimeAtStart: cost.machine.uptimeAtStart },
    cores,
    unitCost: unit,
    settings: { rates, seconds: settings.seconds, workerCounts: settings.workerCounts, ramp: RAMP },
    rows,
  };
  writeFileSync(join(resultsDir, 'capacity-check.json'), `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'capacity-check.md'), checkMarkdown(rows, cores));
  process.stdout.write(`\n${checkMarkdown(rows, cores)}\n`);
  return rows;
}

export function checkMarkdown(rows: CheckRow[], cores: number): string {
  const pair = (predicted: number, measured: number, digits = 2) =>
    `${predicted.toFixed(digits)} / ${Number.isFinite(measured) ? measured.toFixed(digits) : '–'}`;
  const lines = [
    `Predicted / measured, on ${cores} cores shared with the machine's other users (their cores measured in each window). ` +
      `Throughput: verifications completed per second in the steady window (after the first ${RAMP * 100} %); ` +
      'CPU in cores over the same window; CPU ms a verification: the five parts together, net of idle.',
    '',
    '| workers | offered/s | throughput/s | limited by | CPU ms a verification | worker cores | ingress cores | ' +
      'server cores | PostgreSQL cores | bench cores | others | failed |',
    '|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const p = row.predicted.cores;
    const m = row.measured.cores;
    lines.push(
      `| ${row.workers} | ${row.offeredPerS} | ${pair(row.predicted.throughputPerS, row.measured.throughputPerS)} | ` +
        `${row.predicted.limitedBy} | ${pair(row.cpuMsPerVerification.predicted, row.cpuMsPerVerification.measured, 0)} | ` +
        `${pair(p.worker, m.worker)} | ${pair(p.ingress, m.ingress)} | ` +
        `${pair(p.server, m.server)} | ${pair(p.postgres, m.postgres)} | ${pair(p.bench, m.bench)} | ` +
        `${row.othersCores.toFixed(2)} | ${row.failed} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
