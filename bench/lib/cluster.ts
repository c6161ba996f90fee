/**
 * The production-shaped Temporal for figures 1 and 4 (scripts/cluster.sh: PostgreSQL, the Temporal
 * server built from the pinned module, the namespace and our search attributes), beside the dev
 * server in the same run. Either an operator's running cluster (`--cluster 127.0.0.1:17233`), or,
 * when the server is built and PostgreSQL is installed, one of the bench's own in a temporary
 * directory on ports no other cluster holds, removed at the end.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { TemporalSide } from './stack';

const REPO = join(__dirname, '..', '..', '..');
const SCRIPT = join(REPO, 'scripts', 'cluster.sh');

/** Why there is no cluster to measure on, or undefined when one can be brought up. */
export function clusterUnavailable(): string | undefined {
  const built = spawnSync('node', [join(REPO, 'scripts', 'temporal-server.mjs'), 'dir'], { encoding: 'utf8' });
  if (built.status !== 0)
    return 'the Temporal server is not built (node scripts/temporal-server.mjs build, or TEMPORAL_SERVER_DIR)';
  const postgres = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null || command -v initdb'], {
    encoding: 'utf8',
  });
  if (!postgres.stdout.trim() && !process.env.PG_BIN) return 'PostgreSQL is not installed (or PG_BIN unset)';
  return undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A frontend port whose block (the server's other ports, see scripts/cluster.sh) and a PostgreSQL port are free. */
async function freeClusterPorts(): Promise<{ port: number; pgPort: number }> {
  const offsets = [0, 1, 2, 6, 10, -300, -299, -298, -294];
  // Clear of the script's defaults (a developer's own cluster) and of the cluster test suite's first blocks.
  for (let step = 10; step < 40; step++) {
    const port = 17233 + step * 20;
    const pgPort = 15432 + step;
    const busy = await Promise.all([...offsets.map((offset) => port + offset), pgPort].map(listening));
    if (!busy.some(Boolean)) return { port, pgPort };
  }
  throw new Error('no free block of ports for a cluster between 17433 and 18013');
}

/** A TemporalSide on a cluster: the bench's own, brought up now (and destroyed by stop()), or one at `address`. */
export async function startClusterSide(
  address: string | undefined,
  log: (line: string) => void,
): Promise<TemporalSide> {
  let stopCluster = async () => {};
  let pid: number | undefined;
  let dir = '';
  if (!address) {
    dir = mkdtempSync(join(tmpdir(), 'kyc-bench-cluster-'));
    // PostgreSQL runs as its own user when the bench runs as root: it must reach its data directory.
    chmodSync(dir, 0o755);
    const { port, pgPort } = await freeClusterPorts();
    const env = {
      ...process.env,
      KYC_CLUSTER_DIR: dir,
      KYC_CLUSTER_PORT: String(port),
      KYC_CLUSTER_PG_PORT: String(pgPort),
    };
    const run = (command: string) =>
      promisify(execFile)('bash', [SCRIPT, command], { cwd: REPO, env, maxBuffer: 16 << 20 });
    const started = Date.now();
    log(`cluster: scripts/cluster.sh up in ${dir} (frontend ${port}, PostgreSQL ${pgPort})`);
    try {
      await run('up');
    } catch (err) {
      await run('destroy').catch(() => undefined);
      throw err;
    }
    log(`cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    address = `127.0.0.1:${port}`;
    pid = Number(readFileSync(join(dir, 'server.pid'), 'utf8'));
    stopCluster = async () => {
      await run('destroy');
    };
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    dir,
    devServer: { address, pid },
    client,
    stop: async () => {
      await connection.close();
      await stopCluster();
    },
  };
}
