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
  return {
    child,
    output: () => lines.join('\n'),
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Starts `dist/ingress-main.js` on `port` and waits until it answers /healthz. */
export async function startIngressProcess(env: Record<string, string>, port: number): Promise<NodeProcess> {
  const ingress = spawnEntry('ingress-main', { ...env, PORT: String(port) });
  await eventually(
    async () => {
      if (ingress.child.exitCode !== null) throw new Error(`ingress exited:\n${ingress.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    30_000,
    'the ingress process to listen',
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${ingress.output()}`);
  });
  return ingress;
}

/** Starts `dist/worker-main.js` and waits until it polls its task queue. */
export async function startWorkerProcess(env: Record<string, string>): Promise<NodeProcess> {
  const worker = spawnEntry('worker-main', env);
  await eventually(
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      return worker.output().includes('worker polling') ? true : undefined;
    },
    60_000,
    'the worker process to poll',
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${worker.output()}`);
  });
  return worker;
}
