import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort, startOnFreePorts } from '../../src/http/free-port';

const listenOn = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const portOf = (server: Server) => (server.address() as { port: number }).port;

/** The states of loopback TCP sockets whose local port is `port` (Linux: /proc/net/tcp, hex). */
const statesOn = (port: number) =>
  readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local]) => local !== undefined && parseInt(local.split(':')[1]!, 16) === port)
    .map((fields) => fields[3]);
const TIME_WAIT = '06';

describe('freePort', () => {
  it('leaves the port in TIME_WAIT, so the kernel does not hand it out again at once', async () => {
    const port = await freePort();
    expect(statesOn(port)).toContain(TIME_WAIT);
  });

  it('holds the port for the server that binds it by number: nobody asking for any free port gets it', async () => {
    const port = await freePort();
    const others = [];
    for (let i = 0; i < 200; i += 1) others.push(await listenOn(0));
    try {
      expect(others.map(portOf)).not.toContain(port);
      const server = await listenOn(port);
      expect(portOf(server)).toBe(port);
      await close(server);
    } finally {
      await Promise.all(others.map(close));
    }
  });
});

describe('startOnFreePorts', () => {
  it('retries a start that failed on a taken port once, on other ports, and prints why', async () => {
    const taken = await listenOn(0);
    const handedOut = [portOf(taken)];
    const printed: string[] = [];
    const bound: number[] = [];
    try {
      const server = await startOnFreePorts(
        1,
        async ([port]) => {
          bound.push(port!);
          return listenOn(port!);
        },
        {
          what: 'test server',
          pick: () => (handedOut.length ? Promise.resolve(handedOut.shift()!) : freePort()),
          print: (line) => printed.push(line),
        },
      );
      expect(bound).toHaveLength(2);
      expect(bound[0]).toBe(portOf(taken));
      expect(portOf(server)).toBe(bound[1]);
      expect(printed).toEqual([
        `test server did not start on port ${portOf(taken)} (listen EADDRINUSE: address already in use 127.0.0.1:${portOf(taken)}); retrying once on other ports`,
      ]);
      await close(server);
    } finally {
      await close(taken);
    }
  });

  it('gives up after the second failure, with its error', async () => {
    let attempts = 0;
    const start = startOnFreePorts(
      2,
      (ports) => {
        attempts += 1;
        expect(ports).toHaveLength(2);
        return Promise.reject(new Error(`attempt ${attempts} failed`));
      },
      { what: 'test server', print: () => undefined },
    );
    await expect(start).rejects.toThrow('attempt 2 failed');
    expect(attempts).toBe(2);
  });
});
