/** A loopback- or public-facing HTTP listener shared by the ingress, the simulators and small side servers. */
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

/**
 * How long a client may take to send a request. Node's own limits (a minute for the headers, five
 * for the whole request, checked every 30 s) let anyone on the network, before any credential is
 * asked, hold a connection for minutes by sending a byte at a time, and enough such connections
 * leave none for the providers. A provider's callback is a few kilobytes sent at once, and it
 * waits only seconds for our answer anyway, so the ingress and its side servers need far less.
 */
export interface RequestTimeouts {
  /** The headers, from the connection's first byte (default 10 s). */
  headersMs: number;
  /** The whole request, body included (default 30 s). */
  requestMs: number;
  /** How often open connections are checked against both (default 1 s). */
  checkEveryMs: number;
}

export const REQUEST_TIMEOUTS: RequestTimeouts = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 };

/** Listens on a port and resolves once bound; `close` stops new connections and ends idle ones. */
export async function listen(
  app: Express,
  port: number,
  host?: string,
  timeouts: RequestTimeouts = REQUEST_TIMEOUTS,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
    if (host) server.listen(port, host);
    else server.listen(port);
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
