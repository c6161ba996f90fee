/**
 * The production-shaped cluster (scripts/cluster.sh: PostgreSQL, the Temporal server built from
 * the pinned module, the namespace and our search attributes), driven from tests: the cluster
 * suite's global setup brings one up for the whole run, and its fault tests kill and stop its
 * parts through the same script.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'cluster.sh');

export interface ClusterSettings {
  /** KYC_CLUSTER_DIR: data directory, logs, the server's PID file. */
  dir: string;
  /** KYC_CLUSTER_PORT: the frontend; the server's other ports follow it. */
  port: number;
  /** KYC_CLUSTER_PG_PORT. */
  pgPort: number;
}

export class Cluster {
  constructor(readonly settings: ClusterSettings) {}

  get address(): string {
    return `127.0.0.1:${this.settings.port}`;
  }

  /** Runs `scripts/cluster.sh …` against this cluster; its own lines are returned for failure messages. */
  async run(...args: string[]): Promise<string> {
    const { dir, port, pgPort } = this.settings;
    const { stdout, stderr } = await promisify(execFile)('bash', [script, ...args], {
      cwd: root,
      env: {
        ...process.env,
        KYC_CLUSTER_DIR: dir,
        KYC_CLUSTER_PORT: String(port),
        KYC_CLUSTER_PG_PORT: String(pgPort),
      },
      maxBuffer: 16 << 20,
    });
    return `${stdout}${stderr}`;
  }

  /** SIGKILL of the Temporal server process (no shutdown: connections and leases left as they were); returns once it is gone. */
  async killServer(): Promise<void> {
    const pid = Number(readFileSync(join(this.settings.dir, 'server.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (!gone(pid)) {
      if (Date.now() > deadline) throw new Error(`the Temporal server (pid ${pid}) outlived its SIGKILL`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A killed process is gone once it no longer exists or only waits, as a zombie, to be reaped. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** The cluster of this run (test/cluster/global-setup.ts exports its settings), or undefined outside the cluster suite. */
export function clusterOfThisRun(): Cluster | undefined {
  const dir = process.env.KYC_CLUSTER_DIR;
  if (!dir || !process.env.KYC_TEST_TEMPORAL_ADDRESS) return undefined;
  return new Cluster({
    dir,
    port: Number(process.env.KYC_CLUSTER_PORT),
    pgPort: Number(process.env.KYC_CLUSTER_PG_PORT),
  });
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

/**
 * A frontend port whose whole block (the server's ports, see scripts/cluster.sh) and a PostgreSQL
 * port are free, starting from the script's defaults, so a developer's own cluster is left alone.
 */
export async function freeClusterPorts(): Promise<{ port: number; pgPort: number }> {
  const offsets = [0, 1, 2, 6, 10, -300, -299, -298, -294];
  for (let step = 0; step < 20; step++) {
    const port = 17233 + step * 20;
    const pgPort = 15432 + step;
    const busy = await Promise.all([...offsets.map((offset) => port + offset), pgPort].map(listening));
    if (!busy.some(Boolean)) return { port, pgPort };
  }
  throw new Error('no free block of ports for a cluster between 17233 and 17613');
}
