/**
 * `npm run bench`: starts its own Temporal dev server, simulators, worker and ingress on
 * loopback, measures every figure next to its baseline, writes
 * bench/results/latest.json and prints a markdown list, then how long each figure took. Flags
 * (all optional; the environment variables in brackets set the same, a flag wins):
 *   --duration S   seconds of load per repetition (default 5)     --warmup S  (default 2)
 *   --reps N       repetitions (default 3; fewer only for smoke runs, never a result)
 *   --samples N    figure 3 (default 20)                           --count N  figure 4 per repetition (15)
 *   --open N       figure 5's open verifications (default 750)  [BENCH_SCALE_OPEN, e.g. 10000]
 *   --max-cached N figure 5 worker cache size (SDK default)
 *   --sqlite-pragmas journal_mode=wal,synchronous=normal   the main dev server's pragmas (none)
 *                  [BENCH_SQLITE_PRAGMAS]
 *   --only 1,2     figures to run [BENCH_ONLY]
 *   --profile      write a --cpu-prof of the worker during figure 1 to bench/results/logs
 *   --cluster C    figures 1 (c50) and 4 also on a PostgreSQL cluster [BENCH_CLUSTER]: `auto` (default: one of
 *                  the bench's own when the server is built and PostgreSQL installed), `off`, or the
 *                  frontend address of a running one (scripts/cluster.sh up)
 * The defaults keep the whole run within 15 minutes on two quiet cores without the cluster's figures (the
 * run prints each figure's time). latest.json records the machine (cores, load average, Node, commit).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, Settings } from './lib/context';
import { clusterUnavailable, startClusterSide } from './lib/cluster';
import { drained } from './lib/drain';
import { markdownList, type FigureRow } from './lib/report';
import {
  appClient,
  kycEnvironment,
  prebuiltWorkflowBundle,
  startIngress,
  startSimulators,
  startTemporalSide,
  startWorker,
  type BenchIngress,
  type BenchWorker,
  type Simulators,
  type TemporalSide,
} from './lib/stack';
import { handOverFigure, overloadFigure, sqliteFigure } from './figures/handover';
import { overheadFigure } from './figures/overhead';
import { visibleFigure } from './figures/visible';
import { endToEndFigure } from './figures/end-to-end';
import { costFigure } from './figures/cost';
import { scaleFigure } from './figures/scale';

const REPO = join(__dirname, '..', '..');
const RESULTS = join(REPO, 'bench', 'results');

/**
 * The copy of src/ compiled into dist-tools/ would look for .tools/ relative to itself; the
 * project's own build (dist/, made by `npm run build` before the bench) knows where it is.
 */
function useProjectTemporalCli(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binaries = require(join(REPO, 'dist', 'temporal', 'binaries.js')) as typeof import('../src/temporal/binaries');
  process.env.TEMPORAL_CLI_PATH ??= binaries.resolveTemporalCli();
}

/** What `npm run bench` on two quiet cores must stay within. */
const TARGET_S = 15 * 60;
/** Flags that environment variables can set too (a flag wins). */
const FROM_ENVIRONMENT: Record<string, string> = {
  only: 'BENCH_ONLY',
  open: 'BENCH_SCALE_OPEN',
  'sqlite-pragmas': 'BENCH_SQLITE_PRAGMAS',
  cluster: 'BENCH_CLUSTER',
};

function parseSettings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  const flag = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    if (index >= 0) return argv[index + 1];
    const variable = FROM_ENVIRONMENT[name];
    return variable && env[variable] ? env[variable] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const value = flag(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number`);
    return parsed;
  };
  const maxCached = flag('max-cached');
  return {
    // Short enough for every figure to fit in TARGET_S on two cores; see the timings it prints.
    durationS: number('duration', 5),
    warmupS: number('warmup', 2),
    // Below three repetitions a median means little: allowed for smoke runs only, and said so.
    repetitions: Math.round(number('reps', 3)),
    visibleSamples: Math.max(5, number('samples', 20)),
    endToEndCount: number('count', 15),
    open: number('open', 750),
    ...(maxCached ? { maxCachedWorkflows: Number(maxCached) } : {}),
    sqlitePragmas: (flag('sqlite-pragmas') ?? '').split(',').filter(Boolean),
    profile: argv.includes('--profile'),
    cluster: flag('cluster') ?? 'auto',
    ...(flag('only') ? { only: flag('only')!.split(',') } : {}),
  };
}

/** How long each figure took, and the total against the run's target duration. */
function timingList(timings: { figure: string; seconds: number }[], totalS: number): string {
  const lines = ['Time taken:'];
  for (const { figure, seconds } of timings)
    lines.push(`- ${figure.includes('start-up') ? figure : `figure ${figure}`}: ${seconds} s`);
  lines.push(`- total: ${totalS} s (target ${TARGET_S} s)`);
  return lines.join('\n');
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: availableParallelism(),
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
    commit: git(['rev-parse', 'HEAD']),
    // Uncommitted changes to tracked files: the figures are then not those of `commit` alone.
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Every row with a goal, in one list: what the run met and what it did not. */
function goalSummary(rows: FigureRow[]) {
  const judged = rows.filter((r) => r.met !== undefined);
  return {
    met: judged.filter((r) => r.met).length,
    notMet: judged.filter((r) => !r.met).map((r) => `${r.figure} ${r.measure}`),
  };
}

/** A cluster's rows carry its name, so they sit beside the dev server's rows of the same figure. */
const ON_CLUSTER = ' [PostgreSQL cluster]';

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2), process.env);
  useProjectTemporalCli();
  const wanted = (figure: string) => !settings.only || settings.only.includes(figure);
  const logDir = join(RESULTS, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  const about = machine();
  log(
    `bench on ${about.nproc} cores (${about.cpuModel}), node ${about.node}, load ${about.loadAverageAtStart.join(' ')}, ` +
      `commit ${about.commit.slice(0, 12)}${about.uncommittedChanges ? ' with uncommitted changes' : ''}`,
  );
  if (settings.repetitions < 3) log(`${settings.repetitions} repetition(s): a smoke run, not a result`);
  /** Seconds each figure took (its drain included), and the start-up before them, in order. */
  const timings: { figure: string; seconds: number }[] = [];
  const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

  let sims: Simulators | undefined;
  let side: TemporalSide | undefined;
  let ingress: BenchIngress | undefined;
  const workers: BenchWorker[] = [];
  let clusterSide: TemporalSide | undefined;
  let clusterIngress: BenchIngress | undefined;
  const cleanup = async () => {
    await clusterIngress?.child.stop();
    await ingress?.child.stop();
    for (const worker of workers) await worker.child.stop();
    await clusterSide?.stop().catch((err: unknown) => log(`cluster not removed: ${String(err)}`));
    await side?.stop();
    await sims?.close();
  };
  // Ctrl-C stops what the bench started (the figures' own extra processes die with their IPC channel).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    sims = await startSimulators();
    side = await startTemporalSide('default', settings.sqlitePragmas);
    const env = kycEnvironment(sims, side.devServer.address);
    const pragmas = settings.sqlitePragmas.length ? settings.sqlitePragmas.join(', ') : "SQLite's defaults";
    log(`dev server on ${side.devServer.address} (${pragmas}); bundling the workflow once`);
    const bundlePath = await prebuiltWorkflowBundle(side.dir);
    const kycWorker = await startWorker({
      kind: 'kyc',
      env,
      bundlePath,
      logFile: join(logDir, 'worker.log'),
      ...(settings.profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${logDir}`] } : {}),
    });
    workers.push(kycWorker);
    const minimalWorker = await startWorker({ kind: 'minimal', env, logFile: join(logDir, 'worker-minimal.log') });
    workers.push(minimalWorker);
    ingress = await startIngress(env, join(logDir, 'ingress.log'));
    const { config, kyc } = appClient(env, side.client);
    const context: BenchContext = {
      settings,
      side,
      sims,
      env,
      config,
      kyc,
      client: side.client,
      ingress,
      kycWorker,
      minimalWorker,
      bundlePath,
      logDir,
      rows: [],
      diagnostics: {},
      log,
    };
    const figures: [string, string, (c: BenchContext) => Promise<void>][] = [
      ['2', 'ingress overhead without Temporal', overheadFigure],
      ['1', 'hand-over', handOverFigure],
      ['1+', 'overload with the in-flight bound', overloadFigure],
      ['3', 'callback to visible state', visibleFigure],
      ['4', 'verifications per second end to end', endToEndFigure],
      ['6', 'cost per verification', costFigure],
      ['5', `scale and memory (${settings.open} open)`, scaleFigure],
      ['S', 'SQLite pragmas', sqliteFigure],
    ];
    timings.push({ figure: 'start-up', seconds: seconds(started) });
    const failures: Record<string, string> = {};
    /** Where figures 1 and 4 ran besides the dev server, or why they did not. */
    let cluster: { address: string; ownCluster: boolean } | { skipped: string } = {
      skipped: 'figures 1 and 4 not selected',
    };
    const write = () => {
      const results = {
        finishedAt: new Date().toISOString(),
        durationS: Math.round((Date.now() - started) / 1000),
        targetS: TARGET_S,
        timingsS: timings,
        machine: { ...about, loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))) },
        settings,
        figures: context.rows,
        goals: goalSummary(context.rows),
        cluster,
        failures,
        diagnostics: context.diagnostics,
      };
      writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    };
    for (const [id, name, figure] of figures) {
      if (!wanted(id)) continue;
      log(`figure ${id}: ${name}`);
      const figureStarted = Date.now();
      try {
        await figure(context);
        // Load figures leave a backlog of workflow tasks behind; the next figure starts after it.
        await drained(context);
      } catch (err) {
        // One figure failing (a timeout on a loaded machine) still leaves the others measured.
        failures[id] = err instanceof Error ? err.message : String(err);
        log(`figure ${id} failed: ${failures[id]}`);
      }
      timings.push({ figure: id, seconds: seconds(figureStarted) });
      log(`figure ${id} took ${timings.at(-1)!.seconds} s`);
      write();
    }

    // Figures 1 (c50) and 4 once more, on the production shape: PostgreSQL behind the Temporal server.
    const onCluster: [string, string, (c: BenchContext) => Promise<void>][] = [
      ['1', 'hand-over, c50', (c) => handOverFigure(c, [50])],
      ['4', 'verifications per second end to end', endToEndFigure],
    ];
    const clusterFigures = onCluster.filter(([id]) => wanted(id));
    const unavailable =
      settings.cluster === 'off'
        ? 'turned off (--cluster off)'
        : settings.cluster === 'auto'
          ? clusterUnavailable()
          : undefined;
    if (clusterFigures.length && unavailable) {
      cluster = { skipped: unavailable };
      log(`no PostgreSQL cluster: ${unavailable}; figures 1 and 4 ran on the dev server only`);
    } else if (clusterFigures.length) {
      const clusterStarted = Date.now();
      try {
        const address = settings.cluster === 'auto' ? undefined : settings.cluster;
        clusterSide = await startClusterSide(address, log);
        cluster = { address: clusterSide.devServer.address, ownCluster: address === undefined };
        const clusterEnv = kycEnvironment(sims, clusterSide.devServer.address);
        const clusterWorker = await startWorker({
          kind: 'kyc',
          env: clusterEnv,
          bundlePath,
          logFile: join(logDir, 'worker-cluster.log'),
        });
        workers.push(clusterWorker);
        const clusterMinimal = await startWorker({
          kind: 'minimal',
          env: clusterEnv,
          logFile: join(logDir, 'worker-minimal-cluster.log'),
        });
        workers.push(clusterMinimal);
        clusterIngress = await startIngress(clusterEnv, join(logDir, 'ingress-cluster.log'));
        const app = appClient(clusterEnv, clusterSide.client);
        const clusterContext: BenchContext = {
          ...context,
          side: clusterSide,
          env: clusterEnv,
          config: app.config,
          kyc: app.kyc,
          client: clusterSide.client,
          ingress: clusterIngress,
          kycWorker: clusterWorker,
          minimalWorker: clusterMinimal,
          rows: [],
          diagnostics: {},
        };
        timings.push({ figure: 'cluster start-up', seconds: seconds(clusterStarted) });
        for (const [id, name, figure] of clusterFigures) {
          log(`figure ${id} on the cluster: ${name}`);
          const figureStarted = Date.now();
          try {
            await figure(clusterContext);
            await drained(clusterContext);
          } catch (err) {
            failures[`${id} cluster`] = err instanceof Error ? err.message : String(err);
            log(`figure ${id} on the cluster failed: ${failures[`${id} cluster`]}`);
          }
          context.rows.push(...clusterContext.rows.map((r) => ({ ...r, measure: `${r.measure}${ON_CLUSTER}` })));
          clusterContext.rows = [];
          for (const [key, value] of Object.entries(clusterContext.diagnostics))
            context.diagnostics[`${key}${ON_CLUSTER}`] = value;
          clusterContext.diagnostics = {};
          timings.push({ figure: `${id} cluster`, seconds: seconds(figureStarted) });
          log(`figure ${id} on the cluster took ${timings.at(-1)!.seconds} s`);
          write();
        }
      } catch (err) {
        failures.cluster = err instanceof Error ? err.message : String(err);
        log(`the cluster did not start: ${failures.cluster}`);
        write();
      }
    }
    process.stdout.write(`\n${markdownList(context.rows)}\n\n`);
    process.stdout.write(`${timingList(timings, seconds(started))}\n\n`);
    if (seconds(started) > TARGET_S) log(`over the ${TARGET_S / 60}-minute target: see the timings above`);
    const goals = goalSummary(context.rows);
    log(
      `goals: ${goals.met} met, ${goals.notMet.length} not met${goals.notMet.length ? `: ${goals.notMet.join('; ')}` : ''}`,
    );
    if (Object.keys(failures).length) log(`failed figures: ${Object.keys(failures).join(', ')}`);
    log(`wrote bench/results/latest.json`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
