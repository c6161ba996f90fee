/**
 * The worker's Temporal runtime binds its Prometheus exporter on a port picked before it starts
 * (src/observability/index.ts): when another process took that port in between, the runtime is
 * installed on another one. Its own file: a process installs the runtime once.
 */
import { createServer, type Server } from 'node:net';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/app-config';
import { freePort } from '../../src/http/free-port';
import { setUpWorkerRuntime } from '../../src/observability';
import { DEV_DEFAULTS } from '../support/dev-defaults';

it("the runtime's metrics exporter whose port was taken is installed on another, and says why", async () => {
  const taken: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as { port: number }).port;
  const handedOut = [takenPort];
  const printed: string[] = [];
  try {
    const address = await setUpWorkerRuntime(loadConfig({ ...DEV_DEFAULTS, METRICS_PORT: '0' }), {
      pick: () => (handedOut.length ? Promise.resolve(handedOut.shift()!) : freePort()),
      print: (line) => printed.push(line),
    });
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe(`127.0.0.1:${takenPort}`);
    expect((await fetch(`http://${address}/metrics`)).status).toBe(200);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`did not start on port ${takenPort}`);
    expect(printed[0]).toContain('Address already in use');
  } finally {
    // The runtime's exporter would keep the test process alive.
    await Runtime.instance().shutdown();
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});
