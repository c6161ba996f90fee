import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './stack';

const root = join(__dirname, '..', '..');

/** One of the built entry points (`npm run build` first), run as a real child process we can SIGKILL. */
export interface NodeProcess {
  child: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** The fields of the first JSON log line with this message, once it was written. */
  logged(message: string): Record<string, unknown> | undefined;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnEntry(entry: 'ingress-main' | 'worker-main', env: Record<string, string>): NodeProcess {
  const script = join(root, 'dist', `${entry}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 200));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Never leave a child behind a failed test.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const logged = new Map<string, Record<string, unknown>>();
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const whole = text.split('\n');
    partial = whole.pop() ?? '';
    for (const line of whole) {
      if (!line.startsWith('{')) continue;
      try {
        const fields = JSON.parse(line) as Record<string, unknown>;
        if (typeof fields.message === 'string' && !logged.has(fields.message)) logged.set(fields.message, fields);
      } catch {
        // Not one of our JSON lines.
      }
    }
  });
  return {
    child,
    output: () => lines.join('\n'),
    logged: (message) => logged.get(message),
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Starts `dist/ingress-main.js` and waits until it answers /healthz: on a port it chooses (the
 * default, PORT=0, read back from its "ingress listening" line), or on `port` (a restart on the
 * port it had).
 */
export async function startIngressProcess(
  env: Record<string, string>,
  port = 0,
): Promise<NodeProcess & { port: number }> {
  const ingress = spawnEntry('ingress-main', { ...env, PORT: String(port) });
  const bound = await eventually(
    async () => {
      if (ingress.child.exitCode !== null) throw new Error(`ingress exited:\n${ingress.output()}`);
      const listening = ingress.logged('ingress listening');
      if (typeof listening?.port !== 'number') return undefined;
      const res = await fetch(`http://127.0.0.1:${listening.port}/healthz`).catch(() => undefined);
      return res?.ok ? listening.port : undefined;
    },
    30_000,
    'the ingress process to listen',
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${ingress.output()}`);
  });
  return Object.assign(ingress, { port: bound });
}

/**
 * Starts `dist/worker-main.js` and waits until it polls its task queue. With METRICS_PORT=0 its
 * metrics server takes a port the system chooses: `metricsPort`, read back from its "worker polling" line.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
): Promise<NodeProcess & { metricsPort: number | undefined }> {
  const worker = spawnEntry('worker-main', env);
  const polling = await eventually(
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      return worker.logged('worker polling');
    },
    60_000,
    'the worker process to poll',
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${worker.output()}`);
  });
  const metricsPort = typeof polling.metricsPort === 'number' ? polling.metricsPort : undefined;
  return Object.assign(worker, { metricsPort });
}
