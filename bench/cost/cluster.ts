/**
 * The production-shaped cluster the cost figures run on, brought up and torn down by the same
 * script a developer uses (scripts/cluster.sh: PostgreSQL in a data directory, the pinned Temporal
 * server, schema, namespace, search attributes), in a directory and on ports of its own, with the
 * server's Prometheus endpoint on (PROMETHEUS_ENDPOINT, read by the server's configuration
 * template) for its `action` counter.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { freeClusterPorts } from '../../test/support/cluster';
import type { TemporalSide } from '../lib/stack';
import { freePort } from '../../src/http/free-port';
import type { PostgresLogin } from './probes';

/** The login and databases scripts/cluster.sh sets up (deploy/temporal-server.env). */
const DB_USER = 'temporal';
const DB_PASSWORD = 'temporal';
const DATABASES = ['temporal', 'temporal_visibility'];

export interface BenchCluster {
  side: TemporalSide;
  address: string;
  serverPid: number;
  postmasterPid: number;
  metricsUrl: string;
  postgres: PostgresLogin;
  /** Shards, server version: what the figures were measured on. */
  about: { temporalServer: string; historyShards: number; postgres: string };
  /** Stops the cluster and deletes its data (or leaves it running with `keep`). */
  stop(keep?: boolean): Promise<void>;
}

export async function startBenchCluster(log: (line: string) => void): Promise<BenchCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-bench-cluster-'));
  // PostgreSQL runs as its own user when the bench runs as root: it must reach its data directory.
  chmodSync(dir, 0o755);
  const { port, pgPort } = await freeClusterPorts();
  const metricsPort = await freePort();
  const address = `127.0.0.1:${port}`;
  const run = (command: string, extra: Record<string, string> = {}) =>
    promisify(execFile)('bash', [join(ROOT, 'scripts', 'cluster.sh'), command], {
      cwd: ROOT,
      env: {
        ...process.env,
        KYC_CLUSTER_DIR: dir,
        KYC_CLUSTER_PORT: String(port),
        KYC_CLUSTER_PG_PORT: String(pgPort),
        ...extra,
      },
      maxBuffer: 16 << 20,
    });
  log(`cluster: scripts/cluster.sh up in ${dir} (frontend ${port}, PostgreSQL ${pgPort}, metrics ${metricsPort})`);
  try {
    await run('up', { PROMETHEUS_ENDPOINT: `127.0.0.1:${metricsPort}` });
  } catch (err) {
    await run('destroy').catch(() => undefined);
    throw err;
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const serverPid = Number(readFileSync(join(dir, 'server.pid'), 'utf8'));
  const postmasterPid = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pgBin = postgresBin();
  const stop = async (keep = false) => {
    await connection.close();
    if (keep) {
      log(`cluster left running: KYC_CLUSTER_DIR=${dir} KYC_CLUSTER_PORT=${port} KYC_CLUSTER_PG_PORT=${pgPort}`);
      return;
    }
    await run('destroy').catch((err: unknown) => log(`cluster destroy failed: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true });
  };
  const side: TemporalSide = {
    dir,
    // Not a dev server: the cluster's server, in the shape the bench's figures read (address, pid).
    devServer: {
      address,
      pid: serverPid,
    },
    client,
    stop: () => stop(),
  };
  return {
    side,
    address,
    serverPid,
    postmasterPid,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    postgres: { psql: join(pgBin, 'psql'), port: pgPort, user: DB_USER, password: DB_PASSWORD, databases: DATABASES },
    about: {
      temporalServer: temporalServerVersion(),
      historyShards: historyShards(),
      postgres: readFileSync(join(dir, 'pg', 'PG_VERSION'), 'utf8').trim(),
    },
    stop,
  };
}

const ROOT = join(__dirname, '..', '..', '..');

/** Where scripts/cluster.sh finds PostgreSQL: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'psql')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  if (versions.length) return join(base, versions.at(-1)!, 'bin');
  return '/usr/bin';
}

function temporalServerVersion(): string {
  const pins = JSON.parse(readFileSync(join(ROOT, 'temporal-versions.json'), 'utf8')) as Record<string, string>;
  return pins['temporal-server'] ?? 'unknown';
}

function historyShards(): number {
  const env = readFileSync(join(ROOT, 'deploy', 'temporal-server.env'), 'utf8');
  return Number(/^NUM_HISTORY_SHARDS=(\d+)/m.exec(env)?.[1] ?? NaN);
}
