/**
 * Servers whose port must be chosen before they start survive another process taking that port
 * in between (each test hands out a port it holds itself first); our own Node servers take a port
 * the system chooses and report it.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../src/http/free-port';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { startDevServerOnFreePorts } from '../../src/temporal/dev-server';
import { startIngressProcess } from '../support/processes';
import { DEV_DEFAULTS, startTemporal } from '../support/stack';

/** A port this test holds (a listener that hangs up on whoever connects), as another process would. */
async function takenPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Hands out `first` before any free port. */
const pickFirst = (first: number[]) => () => (first.length ? Promise.resolve(first.shift()!) : freePort());

describe('ports taken between the pick and the bind', () => {
  it('the dev server whose Web UI port was taken starts on other ports, and says why', async () => {
    const taken = await takenPort();
    const dir = mkdtempSync(join(tmpdir(), 'kyc-ports-'));
    const printed: string[] = [];
    try {
      const grpcPort = await freePort();
      const server = await startDevServerOnFreePorts(
        { dbFile: join(dir, 'temporal.sqlite'), namespace: 'default' },
        { pick: pickFirst([grpcPort, taken.port]), print: (line) => printed.push(line) },
      );
      try {
        expect(new URL(server.uiUrl).port).not.toBe(String(taken.port));
        const connection = await Connection.connect({ address: server.address });
        await connection.workflowService.getSystemInfo({});
        await connection.close();
      } finally {
        await server.stop();
      }
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain(`temporal dev server did not start on port ${grpcPort}, ${taken.port}`);
      expect(printed[0]).toContain('address already in use');
    } finally {
      await taken.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the tests' Temporal (TestWorkflowEnvironment) whose port was taken starts on another, and says why", async () => {
    const taken = await takenPort();
    const printed: string[] = [];
    let env: TestWorkflowEnvironment | undefined;
    try {
      env = await startTemporal({ ports: { pick: pickFirst([taken.port]), print: (line) => printed.push(line) } });
      expect(env.address).not.toBe(`127.0.0.1:${taken.port}`);
      await env.connection.workflowService.getSystemInfo({});
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain(`did not start on port ${taken.port}`);
    } finally {
      await env?.teardown();
      await taken.release();
    }
  });
});

describe('our own servers take the port the system chooses, and report it', () => {
  const inboxProvider = PROVIDERS.find((id) => !providerModule(id).retriesCallbacks)!;
  const env = {
    ...DEV_DEFAULTS,
    NODE_ENV: 'development',
    // Nothing listens there: the ingress starts without Temporal (its inbox would keep callbacks).
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    // A provider whose callbacks the inbox keeps, its API where nothing listens; its development defaults for the rest.
    KYC_PROVIDERS: inboxProvider,
    [providerVariable(inboxProvider, 'API_BASE_URL')]: 'http://127.0.0.1:1',
  };

  it('the ingress process with PORT=0 logs the port it listens on (the test suites read it there)', async () => {
    const inbox = mkdtempSync(join(tmpdir(), 'kyc-ports-inbox-'));
    const ingress = await startIngressProcess({ ...env, KYC_INBOX_DIR: inbox });
    try {
      expect(ingress.port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${ingress.port}/healthz`)).status).toBe(200);
    } finally {
      await ingress.kill();
      rmSync(inbox, { recursive: true, force: true });
    }
  });

  it('the ingress process started over IPC sends the port it listens on (the benchmarks read it there)', async () => {
    const inbox = mkdtempSync(join(tmpdir(), 'kyc-ports-inbox-'));
    const child = fork(join(__dirname, '..', '..', 'dist', 'ingress-main.js'), [], {
      env: { PATH: process.env.PATH ?? '', ...env, KYC_INBOX_DIR: inbox, PORT: '0' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    try {
      const listening = await new Promise<{ port: number }>((resolve, reject) => {
        child.on('message', (message: { listening?: { port: number } }) => {
          if (message.listening) resolve(message.listening);
        });
        child.once('exit', (code) => reject(new Error(`ingress exited with ${code}`)));
      });
      expect((await fetch(`http://127.0.0.1:${listening.port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      rmSync(inbox, { recursive: true, force: true });
    }
  });
});
