/**
 * Ports for servers whose port must be chosen before they start (the Temporal CLI's dev server,
 * the Temporal runtime's Prometheus exporter): our own Node servers listen on port 0 instead and
 * report the port they got.
 */
import { connect, createServer } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago, held for the server that is about to bind it:
 * the port is left in TIME_WAIT (a connection to it, closed from its side first), so for about a
 * minute the kernel hands it to nobody asking for any free port or connecting out, while a server
 * that binds it by number (with SO_REUSEADDR, as Node, Go and Rust listeners do) still can. A
 * process that asks for this very number can still take it: start with {@link startOnFreePorts}.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const serverSide = new Promise<void>((resolve) =>
      server.once('connection', (socket) => {
        // Our side closes first, so it is this port's end of the connection that waits in TIME_WAIT.
        socket.once('close', () => resolve());
        socket.destroy();
      }),
    );
    const client = connect(port, host);
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.once('error', () => undefined);
    client.once('end', () => client.end());
    await serverSide;
    await clientClosed;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return port;
}

export interface FreePortsStart {
  /** What is started, for the line printed when the first start fails. */
  what: string;
  /** Where that line goes (default: standard error). */
  print?: (line: string) => void;
  /** Picks one port (default {@link freePort}); tests hand out a taken one first. */
  pick?: () => Promise<number>;
}

/**
 * Starts a server on `count` ports picked free. Between the pick and the server's bind another
 * process may still take one, so a start that fails is retried once on fresh ports, its cause
 * printed; a second failure is thrown.
 */
export async function startOnFreePorts<T>(
  count: number,
  start: (ports: number[]) => Promise<T>,
  options: FreePortsStart,
): Promise<T> {
  const pick = options.pick ?? (() => freePort());
  const pickAll = async () => {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) ports.push(await pick());
    return ports;
  };
  const first = await pickAll();
  try {
    return await start(first);
  } catch (err) {
    const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
    print(`${options.what} did not start on port ${first.join(', ')} (${causeOf(err)}); retrying once on other ports`);
    return start(await pickAll());
  }
}

/** The error's message and its causes', on one line. */
export function causeOf(err: unknown): string {
  const parts: string[] = [];
  for (let cause: unknown = err; cause !== undefined && cause !== null && parts.length < 4; ) {
    // Not `instanceof Error`: errors from another realm (a VM context, a test sandbox) are errors too.
    const { message, cause: next } = cause as { message?: unknown; cause?: unknown };
    parts.push(typeof message === 'string' ? message : typeof cause === 'string' ? cause : JSON.stringify(cause));
    cause = typeof cause === 'object' ? next : undefined;
  }
  return parts.join(': ').replace(/\s+/g, ' ');
}
