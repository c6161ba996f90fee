/**
 * What the cost figures read from this machine: CPU time of processes (Linux /proc), of the whole
 * machine (/proc/stat), PostgreSQL's own counters (pg_stat_database, pg_stat_wal, the WAL
 * position) and the Temporal server's `action` counter (its Prometheus endpoint).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms. */
const MS_PER_TICK = 10;

interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    // The command name (field 2) may hold spaces: the fields after it start behind the last ')'.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      utime: Number(fields[11]),
      stime: Number(fields[12]),
      cutime: Number(fields[13]),
      cstime: Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds (user + system) a process has used so far; NaN once it is gone. */
export function cpuMsOf(pid: number | undefined): number {
  const stat = pid ? procStat(pid) : undefined;
  return stat ? (stat.utime + stat.stime) * MS_PER_TICK : NaN;
}

/**
 * CPU milliseconds of a process and its children, those still running and those it has reaped
 * (PostgreSQL: the postmaster and one backend per connection, which come and go).
 */
export function cpuMsOfTree(rootPid: number): number {
  const root = procStat(rootPid);
  if (!root) return NaN;
  let ticks = root.utime + root.stime + root.cutime + root.cstime;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat?.ppid === rootPid) ticks += stat.utime + stat.stime;
  }
  return ticks * MS_PER_TICK;
}

/** The whole machine's CPU so far: busy and total milliseconds, summed over its cores. */
export function machineCpuMs(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  return { busy: busy * MS_PER_TICK, total: (busy + idle! + iowait!) * MS_PER_TICK };
}

export interface PostgresStats {
  /** Per database (temporal, temporal_visibility): committed transactions and rows written. */
  databases: Record<string, { transactions: number; inserted: number; updated: number; deleted: number }>;
  /** Cluster-wide: bytes of WAL (from the WAL position), WAL records and full-page images. */
  walBytes: number;
  walRecords: number;
  walFullPageImages: number;
}

export interface PostgresLogin {
  psql: string;
  port: number;
  user: string;
  password: string;
  databases: string[];
}

/**
 * One reading of PostgreSQL's counters, through psql connected to the `postgres` database (so the
 * reading's own transaction lands in neither of Temporal's). The statistics are flushed by each
 * backend when it goes idle, at most once a second: read them a few seconds after load stops.
 */
export async function postgresStats(login: PostgresLogin): Promise<PostgresStats> {
  const names = login.databases.map((name) => `'${name.replace(/'/g, "''")}'`).join(',');
  const queries = [
    `SELECT 'db', datname, xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname IN (${names})`,
    `SELECT 'wal', pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, wal_records, wal_fpi FROM pg_stat_wal`,
  ];
  const { stdout } = await promisify(execFile)(
    login.psql,
    [
      ...['-h', '127.0.0.1', '-p', String(login.port), '-U', login.user, '-d', 'postgres', '-AtX', '-F', '\t'],
      ...queries.flatMap((query) => ['-c', query]),
    ],
    { env: { ...process.env, PGPASSWORD: login.password } },
  );
  const stats: PostgresStats = { databases: {}, walBytes: NaN, walRecords: NaN, walFullPageImages: NaN };
  for (const line of stdout.trim().split('\n')) {
    const [kind, a, b, c, d, e] = line.split('\t');
    if (kind === 'db')
      stats.databases[a!] = { transactions: Number(b), inserted: Number(c), updated: Number(d), deleted: Number(e) };
    if (kind === 'wal')
      Object.assign(stats, { walBytes: Number(a), walRecords: Number(b), walFullPageImages: Number(c) });
  }
  return stats;
}

/** The Temporal server's `action` counter for one namespace, by action_type (what the frontend counted). */
export async function serverActions(metricsUrl: string, namespace: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const actions: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^action(?:_total)?\{([^}]*)\}\s+([-+\d.eE]+)$/.exec(line.trim());
    if (!match) continue;
    const labels = new Map([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const type = labels.get('action_type');
    if (labels.get('namespace') !== namespace || !type) continue;
    actions[type] = (actions[type] ?? 0) + Number(match[2]);
  }
  return actions;
}
