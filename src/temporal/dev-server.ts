import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { startOnFreePorts, type FreePortsStart } from '../http/free-port';
import { resolveTemporalCli } from './binaries';
import { KYC_SEARCH_ATTRIBUTES } from '../contracts';

export interface DevServerOptions {
  ip?: string;
  port: number;
  uiPort: number;
  /** SQLite file, so verifications survive a restart. */
  dbFile: string;
  namespace: string;
  /** How long to wait for the server to answer before giving up. */
  readyTimeoutMs?: number;
  /** The codec endpoint the Web UI calls to show encrypted payloads in clear (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Where the server's own output goes (default: beside the SQLite file), keeping the console to our lines. */
  logFile?: string;
  /**
   * SQLite pragmas (`name=value`, e.g. `journal_mode=wal`, `synchronous=normal`); default none, so
   * SQLite's own defaults (rollback journal, synchronous=full) hold. See docs/architecture.md, "Capacity".
   */
  sqlitePragmas?: string[];
}

export interface RunningDevServer {
  address: string;
  /** The server's process, for measurements (its RSS in the benchmarks). */
  pid: number | undefined;
  uiUrl: string;
  stop(): Promise<void>;
  /** SIGKILL, no clean shutdown: what a crash does (fault tests restart it on the same SQLite file). */
  kill(): Promise<void>;
}

/**
 * Starts the Temporal CLI's dev server (SQLite persistence and the Web UI) as a child process
 * with our search attributes registered, and waits until it answers.
 */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const cli = resolveTemporalCli();
  const ip = options.ip ?? '127.0.0.1';
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFile,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    ...KYC_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ...(options.sqlitePragmas ?? []).flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
  const logFile = options.logFile ?? join(dirname(options.dbFile), 'temporal-server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(cli, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Last line of defence against an orphaned server if this process exits without a clean stop.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const address = `${ip}:${options.port}`;

  try {
    await Promise.race([
      waitUntilServing(address, options.readyTimeoutMs ?? 60_000),
      exited.then((code) => {
        const said = lastLines(logFile, 3);
        throw new Error(
          `temporal dev server on ports ${options.port} and ${options.uiPort} exited with code ${code} ` +
            `before it was ready${said ? `: ${said}` : ''}`,
        );
      }),
    ]);
  } catch (err) {
    await stopChild(child, exited);
    throw err;
  }
  return {
    address,
    pid: child.pid,
    uiUrl: `http://${ip}:${options.uiPort}`,
    stop: () => stopChild(child, exited),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts the dev server on ports picked free (tests, benchmarks): a start that fails, a port taken
 * by another process between the pick and the bind, is retried once on other ports, the cause printed.
 */
export function startDevServerOnFreePorts(
  options: Omit<DevServerOptions, 'port' | 'uiPort'>,
  ports: Omit<FreePortsStart, 'what'> = {},
): Promise<RunningDevServer> {
  return startOnFreePorts(2, ([port, uiPort]) => startDevServer({ ...options, port: port!, uiPort: uiPort! }), {
    what: 'temporal dev server',
    ...ports,
  });
}

/** The server's last words (its log is appended to, so a retry's lines come after the first start's). */
function lastLines(file: string, count: number): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return lines.slice(-count).join(' | ').slice(0, 600);
  } catch {
    return '';
  }
}

async function waitUntilServing(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs} ms`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
