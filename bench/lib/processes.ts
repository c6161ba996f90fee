/** Child processes of the bench (worker, ingress, bare servers) and their memory, read from /proc. */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export interface Child {
  process: ChildProcess;
  /** Sends an IPC message and resolves with the first answer that has `key`. */
  ask<T>(message: string, key: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Forks a compiled module with IPC, its output appended to `logFile`; resolves once it sends a
 * message with `readyKey` (and returns that message too), or at once without one.
 */
export async function forkChild<R = unknown>(
  modulePath: string,
  options: { env: NodeJS.ProcessEnv; logFile: string; readyKey?: string; execArgv?: string[]; timeoutMs?: number },
): Promise<{ child: Child; ready: R }> {
  const log = openSync(options.logFile, 'a');
  const child = fork(modulePath, [], {
    env: options.env,
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: options.execArgv ?? [],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const readyKey = options.readyKey;
  const ready = await new Promise<R>((resolve, reject) => {
    if (!readyKey) return resolve(undefined as R);
    const timer = setTimeout(
      () => reject(new Error(`${modulePath} not ready in time (see ${options.logFile})`)),
      options.timeoutMs ?? 180_000,
    );
    child.on('message', (message: Record<string, unknown>) => {
      if (message && readyKey in message) {
        clearTimeout(timer);
        resolve(message[readyKey] as R);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${modulePath} exited with ${code} before it was ready (see ${options.logFile})`));
    });
  });
  return {
    ready,
    child: {
      process: child,
      ask: <T>(message: string, key: string) =>
        new Promise<T>((resolve) => {
          const onMessage = (answer: Record<string, unknown>) => {
            if (answer && key in answer) {
              child.off('message', onMessage);
              resolve(answer[key] as T);
            }
          };
          child.on('message', onMessage);
          child.send(message);
        }),
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
        process.off('exit', killOnExit);
      },
    },
  };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) a process has used so far (Linux /proc, 100 ticks a second). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
