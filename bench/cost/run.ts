/**
 * `npm run bench:cost`: what one verification costs on the production shape. Brings up the
 * PostgreSQL cluster with scripts/cluster.sh (a directory and ports of its own), runs our worker,
 * our ingress and the minimal workflow's worker as separate processes against it, measures each
 * provider's normal and worst path next to its minimal twin, writes bench/results/cost.json and
 * cost.md, then (unless --only cost) checks the sizing model against this machine at two loads
 * and one and two worker processes (bench/results/capacity-check.json and .md), and tears the
 * cluster down. Flags (all optional):
 *   --count N        verifications per window on a normal path (default 20)
 *   --worst-count N  verifications per window on a worst path, run all at once (default 10)
 *   --reps N         windows per kind, interleaved; figures are their median (default 3)
 *   --concurrency N  normal-path verifications in flight (default 10)
 *   --settle S       seconds after a window's load before its closing reading (default 5)
 *   --idle S         seconds of each idle reading: before, between repetitions, after (default 30)
 *   --only cost|check  one half (check reads --from, default bench/results/cost.json)
 *   --check-rates a,b  offered verifications/s (default: 0.5 and 1.5 times the predicted capacity)
 *   --check-seconds S  seconds of load per check (default 60)
 *   --keep           leave the cluster running at the end, for a look
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../lib/context';
import { withConcurrency } from '../lib/load';
import { sleep } from '../lib/processes';
import {
  appClient,
  kycEnvironment,
  prebuiltWorkflowBundle,
  startIngress,
  startSimulators,
  startWorker,
  type BenchIngress,
  type BenchWorker,
  type Simulators,
} from '../lib/stack';
import { repeated } from '../lib/stats';
import { ACTION_RULES, actionsOf, addActions } from './actions';
import { runCapacityCheck, type CheckSettings } from './check';
import { startBenchCluster, type BenchCluster } from './cluster';
import { costMarkdown, type CostFile, type KindResult } from './cost-file';
import { verificationHistory, type VerificationHistory } from './history';
import { providerFlows } from '../figures/end-to-end';
import { costKinds, WORST_PATH_DESCRIPTION, type Kind } from './kinds';
import { cpuMsOf, cpuMsOfTree } from './probes';
import { between, idleRates, perVerification, takeSnapshot, type Probes, type Window } from './snapshot';

const REPO = join(__dirname, '..', '..', '..');
const RESULTS = join(REPO, 'bench', 'results');

interface Settings {
  count: number;
  worstCount: number;
  reps: number;
  concurrency: number;
  settleS: number;
  idleS: number;
  only?: 'cost' | 'check';
  from: string;
  check: Omit<CheckSettings, 'log'>;
  keep: boolean;
}

function parseSettings(argv: string[]): Settings {
  const flag = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const value = flag(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number`);
    return parsed;
  };
  const only = flag('only');
  if (only !== undefined && only !== 'cost' && only !== 'check') throw new Error('--only must be cost or check');
  const rates = flag('check-rates')?.split(',').map(Number);
  if (rates && (rates.length === 0 || rates.some((r) => !(r > 0))))
    throw new Error('--check-rates must be positive numbers, e.g. 1,3');
  return {
    count: Math.round(number('count', 20)),
    worstCount: Math.round(number('worst-count', 10)),
    reps: Math.round(number('reps', 3)),
    concurrency: Math.round(number('concurrency', 10)),
    settleS: number('settle', 5),
    idleS: number('idle', 30),
    ...(only ? { only } : {}),
    from: flag('from') ?? join(RESULTS, 'cost.json'),
    check: {
      ...(rates ? { rates } : {}),
      seconds: number('check-seconds', 60),
      workerCounts: [1, 2],
      settleS: number('settle', 5),
    },
    keep: argv.includes('--keep'),
  };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`;
  }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: availableParallelism(),
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
  };
}

export interface RunningStack {
  cluster: BenchCluster;
  sims: Simulators;
  env: Record<string, string>;
  context: BenchContext;
  kycWorkers: BenchWorker[];
  minimalWorker: BenchWorker;
  ingress: BenchIngress;
  ingressNoDedup: BenchIngress;
  probes: Probes;
  bundlePath: string;
  logDir: string;
}

/** Every process the figures read, by name; the kyc workers summed, and each (the check runs two). */
function probesOf(stack: Omit<RunningStack, 'probes'>): Probes {
  return {
    get processes() {
      return processesOf(stack);
    },
    postgres: stack.cluster.postgres,
    metricsUrl: stack.cluster.metricsUrl,
    namespace: 'default',
  };
}

function processesOf(stack: Omit<RunningStack, 'probes'>): Probes['processes'] {
  return [
    { name: 'worker', cpuMs: () => stack.kycWorkers.reduce((sum, w) => sum + cpuMsOf(w.child.process.pid), 0) },
    ...stack.kycWorkers.map((w, i) => ({ name: `worker${i + 1}`, cpuMs: () => cpuMsOf(w.child.process.pid) })),
    { name: 'minimalWorker', cpuMs: () => cpuMsOf(stack.minimalWorker.child.process.pid) },
    { name: 'ingress', cpuMs: () => cpuMsOf(stack.ingress.child.process.pid) },
    { name: 'ingressNoDedup', cpuMs: () => cpuMsOf(stack.ingressNoDedup.child.process.pid) },
    { name: 'server', cpuMs: () => cpuMsOf(stack.cluster.serverPid) },
    { name: 'postgres', cpuMs: () => cpuMsOfTree(stack.cluster.postmasterPid) },
    // The load generator and the provider simulators: this process.
    {
      name: 'bench',
      cpuMs: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      },
    },
  ];
}

async function startStack(log: (line: string) => void): Promise<RunningStack> {
  const logDir = join(RESULTS, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cluster = await startBenchCluster(log);
  const sims = await startSimulators();
  const env = kycEnvironment(sims, cluster.address);
  log('bundling the workflow once');
  const bundlePath = await prebuiltWorkflowBundle(cluster.side.dir);
  const kycWorkers = [await startWorker({ kind: 'kyc', env, bundlePath, logFile: join(logDir, 'cost-worker-1.log') })];
  const minimalWorker = await startWorker({ kind: 'minimal', env, logFile: join(logDir, 'cost-worker-minimal.log') });
  const ingress = await startIngress(env, join(logDir, 'cost-ingress.log'));
  const ingressNoDedup = await startIngress(
    { ...env, KYC_INGRESS_DEDUP_ENTRIES: '0' },
    join(logDir, 'cost-ingress-no-dedup.log'),
  );
  const { config, kyc } = appClient(env, cluster.side.client);
  const context: BenchContext = {
    settings: {
      durationS: 0,
      warmupS: 0,
      repetitions: 1,
      visibleSamples: 0,
      endToEndCount: 0,
      open: 0,
      sqlitePragmas: [],
      profile: false,
      cluster: 'off',
    },
    side: cluster.side,
    sims,
    env,
    config,
    kyc,
    client: cluster.side.client,
    ingress,
    kycWorker: kycWorkers[0]!,
    minimalWorker,
    bundlePath,
    logDir,
    rows: [],
    diagnostics: {},
    log,
  };
  const partial = {
    cluster,
    sims,
    env,
    context,
    kycWorkers,
    minimalWorker,
    ingress,
    ingressNoDedup,
    bundlePath,
    logDir,
  };
  return { ...partial, probes: probesOf(partial) };
}

async function stopStack(stack: RunningStack | undefined, keep: boolean): Promise<void> {
  if (!stack) return;
  await stack.ingress.child.stop();
  await stack.ingressNoDedup.child.stop();
  for (const worker of stack.kycWorkers) await worker.child.stop();
  await stack.minimalWorker.child.stop();
  await stack.sims.close();
  await stack.cluster.stop(keep);
}

/** One window of one kind: its raw readings and what the verifications left in Temporal. */
interface RawWindow {
  kind: string;
  count: number;
  window: Window;
  histories: VerificationHistory[];
}

async function measureWindow(stack: RunningStack, kind: Kind, count: number, settings: Settings): Promise<RawWindow> {
  const before = await takeSnapshot(stack.probes);
  const ids: string[] = [];
  await withConcurrency(Array.from({ length: count }), kind.slow ? count : settings.concurrency, async () => {
    ids.push(await kind.run(stack.context));
  });
  // PostgreSQL's statistics reach its counters when each backend goes idle (at most once a second).
  await sleep(settings.settleS * 1000);
  const after = await takeSnapshot(stack.probes);
  const histories: VerificationHistory[] = [];
  await withConcurrency(ids, 4, async (id) => void histories.push(await verificationHistory(stack.context.client, id)));
  return { kind: kind.key, count, window: between(before, after), histories };
}

async function idleWindow(stack: RunningStack, seconds: number): Promise<Window> {
  const before = await takeSnapshot(stack.probes);
  await sleep(seconds * 1000);
  return between(before, await takeSnapshot(stack.probes));
}

/** A window's figures per verification: CPU and PostgreSQL net of idle, history and actions averaged. */
function windowFigures(raw: RawWindow, kind: Kind, idle: Record<string, number>): Record<string, number> {
  const per = perVerification(raw.window, raw.count, idle);
  const figures: Record<string, number> = {};
  // Role names: the worker and ingress that did this kind's work.
  figures['cpuMs.worker'] = per[`cpuMs.${kind.worker}`]!;
  if (kind.ingress) figures['cpuMs.ingress'] = per[`cpuMs.${kind.ingress}`]!;
  for (const part of ['server', 'postgres', 'bench']) figures[`cpuMs.${part}`] = per[`cpuMs.${part}`]!;
  for (const [key, value] of Object.entries(per)) if (!key.startsWith('cpuMs.')) figures[key] = value;
  const n = raw.histories.length;
  const mean = (pick: (h: VerificationHistory) => number) => raw.histories.reduce((s, h) => s + pick(h), 0) / n;
  figures['history.runs'] = mean((h) => h.runs);
  figures['history.events'] = mean((h) => h.events);
  figures['history.payloadBytes'] = mean((h) => h.payloadBytes);
  figures['history.historyBytes'] = mean((h) => h.historyBytes);
  figures['history.stateTransitions'] = mean((h) => h.stateTransitions);
  figures['history.workflowTasks'] = mean((h) => h.workflowTasks);
  // What the history cannot show, from the server's counter over the window.
  const outside = actionsOf(
    { events: [] },
    {
      queries: per['serverActions.grpc_QueryWorkflow'] ?? 0,
      activityHeartbeats:
        (per['serverActions.grpc_RecordActivityTaskHeartbeat'] ?? 0) +
        (per['serverActions.grpc_RecordActivityTaskHeartbeatById'] ?? 0),
    },
  );
  const all = addActions(outside, ...raw.histories.map((h) => h.actions));
  figures['actions.total'] = (all.total - outside.total) / n + outside.total;
  for (const [rule, value] of Object.entries(all.billed)) {
    const outsideValue = outside.billed[rule as keyof typeof outside.billed];
    figures[`actions.${rule}`] = (value - outsideValue) / n + outsideValue;
  }
  figures['actions.unbilled.changeVersionUpserts'] = all.unbilled.changeVersionUpserts / n;
  figures['actions.unbilled.memoUpserts'] = all.unbilled.memoUpserts / n;
  return figures;
}

function summarise(windows: Record<string, number>[]) {
  const keys = [...new Set(windows.flatMap((w) => Object.keys(w)))].sort();
  return Object.fromEntries(keys.map((key) => [key, repeated(windows.map((w) => w[key] ?? 0))]));
}

async function measureCost(stack: RunningStack, settings: Settings, log: (line: string) => void): Promise<CostFile> {
  const startedAt = new Date().toISOString();
  const uptimeAtStart = uptime();
  const { kinds, providers } = costKinds(providerFlows(stack.context), () => stack.ingressNoDedup.url);
  log(`warm-up: one of each of ${kinds.length} kinds`);
  await Promise.all(kinds.filter((k) => k.slow).map((k) => k.run(stack.context)));
  for (const kind of kinds.filter((k) => !k.slow)) await kind.run(stack.context);
  await sleep(settings.settleS * 1000);
  // Idle readings before, between the repetitions and after: the background drifts (checkpoints, polls).
  const idleWindows: Window[] = [];
  const readIdle = async () => {
    log(`idle reading: ${settings.idleS} s`);
    idleWindows.push(await idleWindow(stack, settings.idleS));
  };
  await readIdle();
  const raws: RawWindow[] = [];
  for (let rep = 1; rep <= settings.reps; rep += 1) {
    for (const kind of kinds) {
      const count = kind.slow ? settings.worstCount : settings.count;
      const t0 = performance.now();
      const raw = await measureWindow(stack, kind, count, settings);
      raws.push(raw);
      log(
        `rep ${rep}/${settings.reps} ${kind.key}: ${count} in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
          `server ${(raw.window.figures['cpuMs.server']! / count).toFixed(0)} ms each (before idle), load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
    await readIdle();
  }
  const idleReadings = idleWindows.map(idleRates);
  const idle = Object.fromEntries(
    Object.keys(idleReadings[0]!).map((key) => [
      key,
      idleReadings.reduce((sum, rates) => sum + (rates[key] ?? 0), 0) / idleReadings.length,
    ]),
  );
  const results: Record<string, KindResult> = {};
  for (const kind of kinds) {
    const windows = raws.filter((r) => r.kind === kind.key).map((r) => windowFigures(r, kind, idle));
    results[kind.key] = {
      role: kind.role,
      ...(kind.provider ? { provider: kind.provider } : {}),
      path: kind.path,
      verificationsPerWindow: raws.find((r) => r.kind === kind.key)!.count,
      windows: windows.length,
      figures: summarise(windows),
      sampleEvents: raws.find((r) => r.kind === kind.key)!.histories[0]?.eventTypes ?? [],
    };
  }
  return {
    what: 'Cost of one verification on the production shape (scripts/cluster.sh), per provider and path, next to its minimal twin',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine(), uptimeAtStart, uptimeAtEnd: uptime() },
    cluster: stack.cluster.about,
    settings: {
      count: settings.count,
      worstCount: settings.worstCount,
      reps: settings.reps,
      concurrency: settings.concurrency,
      settleS: settings.settleS,
      idleS: settings.idleS,
    },
    worstPath: WORST_PATH_DESCRIPTION,
    actionRules: ACTION_RULES,
    idle: { perSecond: idle, readings: idleReadings },
    providers,
    kinds: results,
  };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  log(`cost bench on ${availableParallelism()} cores; ${uptime()}`);
  mkdirSync(RESULTS, { recursive: true });
  let stack: RunningStack | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void stopStack(stack, false).finally(() => process.exit(130));
    });
  }
  try {
    stack = await startStack(log);
    let cost: CostFile;
    if (settings.only === 'check') {
      cost = JSON.parse(readFileSync(settings.from, 'utf8')) as CostFile;
      log(`check against ${settings.from}`);
    } else {
      cost = await measureCost(stack, settings, log);
      writeFileSync(join(RESULTS, 'cost.json'), `${JSON.stringify(cost, null, 2)}\n`);
      writeFileSync(join(RESULTS, 'cost.md'), costMarkdown(cost));
      process.stdout.write(`\n${costMarkdown(cost)}\n`);
      log('wrote bench/results/cost.json and cost.md');
    }
    if (settings.only !== 'cost') {
      await runCapacityCheck(stack, cost, { ...settings.check, log }, RESULTS);
      log('wrote bench/results/capacity-check.json and capacity-check.md');
    }
  } finally {
    await stopStack(stack, settings.keep);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:cost: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
