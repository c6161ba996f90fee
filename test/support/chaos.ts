/**
 * Kill things, lose nothing: a steady load of provider callbacks (each resent until it gets a
 * 2xx, as providers do) against the real stack run as separate processes (Temporal,
 * dist/worker-main.js, dist/ingress-main.js, one or several of each), while Temporal, a worker and
 * an ingress are SIGKILLed and restarted, or the database is stopped for a while. Temporal is a dev
 * server on a SQLite file of its own, or the cluster suite's (PostgreSQL, the pinned server).
 * Shared by test/integration/kill.test.ts (bounded), `npm run chaos` (longer) and
 * test/cluster/faults.test.ts (replicas and the cluster's faults).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { KycClient } from '../../src/client';
import { loadConfig } from '../../src/app-config';
import { providerVariable } from '../../src/providers/settings';
import { sendUntilAcknowledged, type CallbackDelivery } from '../../src/testing/callback-sender';
import type { StoryTruth } from '../../src/testing/kit';
import { startSimulators } from '../../src/testing/simulators';
import { causeOf } from '../../src/http/free-port';
import { startDevServer, startDevServerOnFreePorts, type RunningDevServer } from '../../src/temporal/dev-server';
import type { ProviderId } from '../../src/providers/registry';
import type { Cluster } from './cluster';
import { startIngressProcess, startWorkerProcess, type NodeProcess } from './processes';
import { awaitVerdict } from './provider-stack';
import { eventually } from './stack';
import { DEV_DEFAULTS } from './dev-defaults';

/**
 * `temporal`: SIGKILL of the Temporal server process, then a restart; `worker`: SIGKILL of a
 * worker process once it holds verifications in its sticky cache, then a restart; `ingress`:
 * SIGKILL of an ingress process, then a restart on its port; `database`: the database stopped
 * for `databaseOutageMs`, then started (a Temporal that has one of its own: the cluster).
 */
export type Fault = 'temporal' | 'worker' | 'ingress' | 'database';

/** The Temporal the run is against, and how its faults are injected. */
export interface TemporalUnderTest {
  address: string;
  killAndRestart(): Promise<void>;
  stopDatabase?(): Promise<void>;
  startDatabase?(): Promise<void>;
  close(): Promise<void>;
}

export interface ChaosOptions {
  verifications: number;
  /** Faults injected one after the other, `gapMs` apart, while the load runs. */
  faults: Fault[];
  gapMs: number;
  /** Senders working at once. */
  concurrency: number;
  seed: number;
  /** Default: a dev server of the run's own. */
  temporal?: () => Promise<TemporalUnderTest>;
  /** Worker and ingress processes on the same task queues (default one each); callbacks go to any ingress. */
  workers?: number;
  ingresses?: number;
  databaseOutageMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  verifications: number;
  faultsInjected: Fault[];
  /** The documented callbacks of every verification's story. */
  callbacks: number;
  /** HTTP attempts, resends included. */
  sent: number;
  /** Distinct callbacks that got a 2xx. */
  acknowledged: number;
  /** Of those, per ingress process. */
  acknowledgedBy: number[];
  /** Answers that were neither 2xx nor 503 with Retry-After (a refused connection counts as 0). */
  unexpectedAnswers: number[];
  /** Entries left in each ingress's inbox at the end (pending, unreadable or set aside). */
  inboxLeft: number[];
  /** How many verifications each SIGKILLed worker held in its sticky cache when it was killed. */
  stickyAtWorkerKill: number[];
  /** Acknowledged callbacks found in their verification's timeline exactly once (duplicates aside). */
  applied: number;
  lost: number;
  appliedTwice: number;
  wrongVerdicts: number;
  notAcknowledged: number;
  problems: string[];
}

interface Plan {
  provider: ProviderId;
  reference: string;
  callbacks: { providerStatus: string; delivery: CallbackDelivery }[];
  truth: StoryTruth;
}

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A dev server of the run's own, on a SQLite file, restarted on the same file and ports after a
 * SIGKILL (the worker and ingress processes know its address).
 */
export async function devServerUnderTest(): Promise<TemporalUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-chaos-db-'));
  const files = { dbFile: join(dir, 'temporal.sqlite'), namespace: 'default' };
  let server: RunningDevServer = await startDevServerOnFreePorts(files);
  const [port, uiPort] = [Number(server.address.split(':').at(-1)), Number(new URL(server.uiUrl).port)];
  return {
    address: server.address,
    killAndRestart: async () => {
      await server.kill();
      server = await startDevServer({ ...files, port, uiPort });
    },
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The cluster suite's cluster (scripts/cluster.sh): its server process SIGKILLed, its PostgreSQL stopped. */
export function clusterUnderTest(cluster: Cluster): () => Promise<TemporalUnderTest> {
  return () =>
    Promise.resolve({
      address: cluster.address,
      killAndRestart: async () => {
        await cluster.killServer();
        await cluster.run('start', 'server');
      },
      stopDatabase: async () => void (await cluster.run('stop', 'postgres')),
      startDatabase: async () => void (await cluster.run('start', 'postgres')),
      // The suite's global teardown stops it.
      close: () => Promise.resolve(),
    });
}

function entriesIn(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.entry')).length : 0;
}

/** Verifications a worker holds in its sticky cache, from its Prometheus metrics (METRICS_PORT). */
async function stickyCacheSize(metricsPort: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((res) => res.text());
  const line = text.split('\n').find((row) => row.startsWith('temporal_sticky_cache_size'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!;
  const inboxDirs = Array.from({ length: options.ingresses ?? 1 }, () =>
    mkdtempSync(join(tmpdir(), 'kyc-chaos-inbox-')),
  );
  // Every registered provider, each with the stories its callbacks alone decide (fallback polling is off).
  const sims = await startSimulators();
  const storiesOf = sims.providers.map(({ provider, kit, sim }) => ({
    provider,
    sim,
    stories: Object.values(kit.stories).filter((story) => story.callbacksDecide),
  }));
  // Filled in as the processes start: each takes ports the system chooses, and reports them.
  const ingressPorts: number[] = [];
  const workerMetricsPorts: number[] = [];
  const temporal = await (options.temporal ?? devServerUnderTest)();
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `chaos-${randomUUID()}`,
    ...DEV_DEFAULTS,
    ...sims.environment,
    // Quick retries of an announced result once the worker or the server is back.
    KYC_PROVIDER_RETRY_INITIAL: '1s',
    KYC_PROVIDER_RETRY_MAX: '5s',
    // Fallback polling off: every verdict comes through a callback (and a retrieval it announces).
    ...Object.fromEntries(
      sims.providers.flatMap(({ provider }) => [
        [providerVariable(provider, 'CALLBACK_GRACE'), '1000d'],
        [providerVariable(provider, 'EXPIRES_AFTER'), '2000d'],
      ]),
    ),
    ...(process.env.KYC_TEST_WORKFLOW_BUNDLE ? { KYC_WORKFLOW_BUNDLE: process.env.KYC_TEST_WORKFLOW_BUNDLE } : {}),
  };
  // Each ingress its own inbox, as each replica its own volume; each worker its metrics port.
  const ingressEnv = (i: number) => ({ ...env, KYC_INBOX_DIR: inboxDirs[i]! });
  const workerEnv = { ...env, METRICS_PORT: '0' };
  const startWorker = async (i: number) => {
    const worker = await startWorkerProcess(workerEnv);
    workerMetricsPorts[i] = worker.metricsPort!;
    return worker;
  };
  /**
   * An ingress on a port of its own choosing; a restarted one on the port it had, as a replica
   * behind a load balancer (or, if another process took that port meanwhile, on a new one).
   */
  const startIngress = async (i: number) => {
    const previous = ingressPorts[i];
    const ingress = await startIngressProcess(ingressEnv(i), previous ?? 0).catch((err: unknown) => {
      if (previous === undefined) throw err;
      log(`ingress ${i} did not restart on port ${previous} (${causeOf(err)}); starting it on another`);
      return startIngressProcess(ingressEnv(i));
    });
    ingressPorts[i] = ingress.port;
    return ingress;
  };

  const workers: NodeProcess[] = [];
  const ingresses: NodeProcess[] = [];
  let connection: Connection | undefined;
  try {
    workers.push(...(await Promise.all(Array.from({ length: options.workers ?? 1 }, (_, i) => startWorker(i)))));
    ingresses.push(...(await Promise.all(inboxDirs.map((_, i) => startIngress(i)))));

    /** The providers in turn, each time one of its stories at random (in one of its shapes). */
    const newPlan = (i: number): Plan => {
      const { provider, sim, stories } = storiesOf[i % storiesOf.length]!;
      const story = pick(stories);
      const variant = story.variants ? pick([...story.variants]) : undefined;
      const played = story.play(sim, variant ? { variant } : {});
      return {
        provider,
        reference: played.start.reference,
        callbacks: played.callbacks.map(({ word, delivery }) => ({ providerStatus: word, delivery })),
        truth: story.truth,
      };
    };

    // The load: each verification's callbacks in order, each resent until acknowledged.
    let sent = 0;
    const acknowledged = new Set<string>();
    const acknowledgedBy = ingressPorts.map(() => 0);
    const unexpectedAnswers: number[] = [];
    const unacknowledged: string[] = [];
    // Steady load: new verifications keep coming until every fault was injected (and at least the minimum).
    const plans: Plan[] = [];
    let faultsDone = false;
    const next = (): Plan | undefined => {
      if (faultsDone && plans.length >= options.verifications) return undefined;
      const plan = newPlan(plans.length);
      plans.push(plan);
      return plan;
    };
    const sender = async () => {
      for (let plan = next(); plan; plan = next()) {
        for (const callback of plan.callbacks) {
          // Any ingress, as behind a load balancer: the callbacks of one verification reach different replicas.
          const ingress = Math.floor(rand() * ingressPorts.length);
          const url = `http://127.0.0.1:${ingressPorts[ingress]}/webhooks/${plan.provider}`;
          const result = await sendUntilAcknowledged(url, callback.delivery, {
            retryDelayMs: 300,
            giveUpAfterMs: 180_000,
          });
          sent += result.statuses.length;
          unexpectedAnswers.push(
            ...result.statuses.filter((status) => !(status >= 200 && status < 300) && status !== 503),
            ...Array.from({ length: result.unavailableWithoutRetryAfter }, () => 503),
          );
          const key = `${plan.reference}/${callback.providerStatus}`;
          if (result.acknowledged) {
            acknowledged.add(key);
            acknowledgedBy[ingress]! += 1;
          } else unacknowledged.push(key);
          await new Promise((r) => setTimeout(r, 50 + rand() * 150));
        }
      }
    };

    const injected: Fault[] = [];
    const stickyAtWorkerKill: number[] = [];
    const inject = async () => {
      for (const [n, fault] of options.faults.entries()) {
        await new Promise((r) => setTimeout(r, options.gapMs));
        if (fault === 'ingress') {
          const i = n % ingresses.length;
          log(`fault: SIGKILL ingress ${i}`);
          await ingresses[i]!.kill('SIGKILL');
          ingresses[i] = await startIngress(i);
        } else if (fault === 'worker') {
          const i = n % workers.length;
          // Killed while it holds verifications: their next tasks must find another worker (or this one restarted).
          const held = await eventually(
            async () => {
              const size = await stickyCacheSize(workerMetricsPorts[i]!);
              return size > 0 ? size : undefined;
            },
            60_000,
            `worker ${i} to hold a verification`,
          ).catch(() => 0);
          log(`fault: SIGKILL worker ${i} holding ${held} verifications in its sticky cache`);
          stickyAtWorkerKill.push(held);
          await workers[i]!.kill('SIGKILL');
          workers[i] = await startWorker(i);
        } else if (fault === 'database') {
          if (!temporal.stopDatabase || !temporal.startDatabase)
            throw new Error('this Temporal has no database to stop');
          log(`fault: database stopped for ${options.databaseOutageMs ?? 30_000} ms`);
          await temporal.stopDatabase();
          await new Promise((r) => setTimeout(r, options.databaseOutageMs ?? 30_000));
          await temporal.startDatabase();
        } else {
          log('fault: SIGKILL temporal');
          await temporal.killAndRestart();
        }
        injected.push(fault);
      }
      faultsDone = true;
    };
    await Promise.all([inject(), ...Array.from({ length: options.concurrency }, sender)]);
    log(`load done: ${sent} attempts, ${acknowledged.size} acknowledged; waiting for every verification to end`);

    connection = await Connection.connect({ address: temporal.address });
    const kyc = new KycClient(new Client({ connection }), loadConfig(env));
    const problems: string[] = [];
    let applied = 0;
    let lost = 0;
    let appliedTwice = 0;
    let wrongVerdicts = 0;
    for (const plan of plans) {
      const verdict = await awaitVerdict(kyc, plan.provider, plan.reference, plan.truth, 120_000);
      if (verdict.problem) {
        wrongVerdicts += 1;
        problems.push(`${plan.provider} ${plan.reference}: ${verdict.problem}`);
      }
      const state = verdict.state;
      if (!state) {
        // Its acknowledged callbacks never reached it: lost, unless it exists and only failed to end.
        const exists = await kyc.getVerification(plan.provider, plan.reference).then(
          () => true,
          () => false,
        );
        if (!exists)
          lost += plan.callbacks.filter((c) => acknowledged.has(`${plan.reference}/${c.providerStatus}`)).length;
        continue;
      }
      for (const callback of plan.callbacks) {
        if (!acknowledged.has(`${plan.reference}/${callback.providerStatus}`)) continue;
        // Resends show up as `duplicate`; anything else is the one time the callback counted.
        const counted = state.timeline.filter(
          (entry) =>
            entry.source === 'callback' &&
            entry.providerStatus === callback.providerStatus &&
            entry.outcome !== 'duplicate',
        ).length;
        if (counted === 1) applied += 1;
        else if (counted === 0) {
          lost += 1;
          problems.push(`${plan.provider} ${plan.reference}: acknowledged ${callback.providerStatus} never applied`);
        } else {
          appliedTwice += 1;
          problems.push(`${plan.provider} ${plan.reference}: ${callback.providerStatus} counted ${counted} times`);
        }
      }
    }
    // Every ingress's inbox handed everything over: nothing left, set aside or unreadable.
    const inboxLeft = inboxDirs.map(
      (dir) => entriesIn(dir) + entriesIn(join(dir, 'unreadable')) + entriesIn(join(dir, 'undeliverable')),
    );
    if (problems.length || inboxLeft.some(Boolean)) {
      ingresses.forEach((ingress, i) =>
        log(
          `ingress ${i}, its last warnings:\n${ingress
            .output()
            .split('\n')
            .filter((line) => /"level":(40|50)|warn|error/.test(line))
            .slice(-30)
            .join('\n')}`,
        ),
      );
    }
    return {
      seed: options.seed,
      verifications: plans.length,
      inboxLeft,
      faultsInjected: injected,
      callbacks: plans.reduce((sum, plan) => sum + plan.callbacks.length, 0),
      sent,
      acknowledged: acknowledged.size,
      acknowledgedBy,
      unexpectedAnswers,
      stickyAtWorkerKill,
      applied,
      lost,
      appliedTwice,
      wrongVerdicts,
      notAcknowledged: unacknowledged.length,
      problems,
    };
  } finally {
    await connection?.close();
    await Promise.all([...ingresses, ...workers].map((child) => child.kill()));
    await temporal.close();
    await sims.close();
    for (const dir of inboxDirs) rmSync(dir, { recursive: true, force: true });
  }
}

export function describeReport(report: ChaosReport): string {
  return (
    `chaos (seed ${report.seed}): ${report.verifications} verifications, faults injected ` +
    `${report.faultsInjected.length} (${report.faultsInjected.join(', ')}); callbacks sent ${report.sent}, ` +
    `acknowledged ${report.acknowledged} (by ingress: ${report.acknowledgedBy.join(', ')}), ` +
    `applied ${report.applied}, lost: ${report.lost}, ` +
    `applied twice: ${report.appliedTwice}, wrong verdicts: ${report.wrongVerdicts}, ` +
    `never acknowledged: ${report.notAcknowledged}, answers other than 2xx or 503 + Retry-After: ` +
    `${report.unexpectedAnswers.length}` +
    (report.stickyAtWorkerKill.length
      ? `, sticky verifications at worker kills: ${report.stickyAtWorkerKill.join(', ')}`
      : '')
  );
}
