/** A loopback- or public-facing HTTP listener shared by the ingress, the simulators and small side servers. */
import type { Server } from 'node:http';
import type { Express } from 'express';

/** Listens on a port and resolves once bound; `close` stops new connections and ends idle ones. */
export async function listen(
  app: Express,
  port: number,
  host?: string,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = host ? app.listen(port, host) : app.listen(port);
    s.once('listening', () => resolve(s));
    s.once('error', reject);
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
