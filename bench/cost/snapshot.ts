/**
 * Readings of every counter the cost figures use, taken before and after a window of load, and
 * their difference net of what the same processes do when idle (the server's background work,
 * PostgreSQL's checkpoints, the workers' polls): what the verifications themselves cost.
 */
import { performance } from 'node:perf_hooks';
import { machineCpuMs, postgresStats, serverActions, type PostgresLogin, type PostgresStats } from './probes';

/** A process (or group of processes) whose CPU time is read: named as the figures name it. */
export interface MeasuredProcess {
  name: string;
  cpuMs(): number;
}

export interface Probes {
  processes: MeasuredProcess[];
  postgres: PostgresLogin;
  metricsUrl: string;
  namespace: string;
}

export interface Snapshot {
  atMs: number;
  cpuMs: Record<string, number>;
  machine: { busy: number; total: number };
  postgres: PostgresStats;
  actions: Record<string, number>;
}

export async function takeSnapshot(probes: Probes): Promise<Snapshot> {
  const [postgres, actions] = await Promise.all([
    postgresStats(probes.postgres),
    serverActions(probes.metricsUrl, probes.namespace),
  ]);
  return {
    atMs: performance.now(),
    cpuMs: Object.fromEntries(probes.processes.map((p) => [p.name, p.cpuMs()])),
    machine: machineCpuMs(),
    postgres,
    actions,
  };
}

/** What happened between two snapshots, as flat figures ('cpuMs.server', 'postgres.walBytes', …). */
export interface Window {
  seconds: number;
  figures: Record<string, number>;
}

export function between(before: Snapshot, after: Snapshot): Window {
  const figures: Record<string, number> = {};
  for (const [name, ms] of Object.entries(after.cpuMs)) figures[`cpuMs.${name}`] = ms - (before.cpuMs[name] ?? NaN);
  figures['cpuMs.machine'] = after.machine.busy - before.machine.busy;
  figures['cpuMs.machineCapacity'] = after.machine.total - before.machine.total;
  let transactions = 0;
  let rows = 0;
  for (const [database, now] of Object.entries(after.postgres.databases)) {
    const then = before.postgres.databases[database];
    if (!then) continue;
    const written = now.inserted + now.updated + now.deleted - (then.inserted + then.updated + then.deleted);
    figures[`postgres.transactions.${database}`] = now.transactions - then.transactions;
    figures[`postgres.rowsWritten.${database}`] = written;
    transactions += now.transactions - then.transactions;
    rows += written;
  }
  figures['postgres.transactions'] = transactions;
  figures['postgres.rowsWritten'] = rows;
  figures['postgres.walBytes'] = after.postgres.walBytes - before.postgres.walBytes;
  figures['postgres.walRecords'] = after.postgres.walRecords - before.postgres.walRecords;
  figures['postgres.walFullPageImages'] = after.postgres.walFullPageImages - before.postgres.walFullPageImages;
  let actions = 0;
  for (const [type, count] of Object.entries(after.actions)) {
    const delta = count - (before.actions[type] ?? 0);
    if (delta === 0) continue;
    figures[`serverActions.${type}`] = delta;
    actions += delta;
  }
  figures['serverActions.total'] = actions;
  return { seconds: (after.atMs - before.atMs) / 1000, figures };
}

/** Figures that go on while nothing is asked of the cluster: subtracted, at their idle rate, from a window. */
const BACKGROUND = /^(cpuMs|postgres)\./;

/** Per second, what an idle window did. */
export function idleRates(idle: Window): Record<string, number> {
  return Object.fromEntries(
    Object.entries(idle.figures)
      .filter(([key]) => BACKGROUND.test(key))
      .map(([key, value]) => [key, value / idle.seconds]),
  );
}

/**
 * A window's figures per verification, net of the idle rates over its length. The machine's busy
 * time is left out: it is what everyone on the machine used.
 */
export function perVerification(window: Window, count: number, idle: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(window.figures)) {
    if (key.startsWith('cpuMs.machine')) continue;
    out[key] = (value - (idle[key] ?? 0) * window.seconds) / count;
  }
  return out;
}
