/**
 * A provider API on loopback that never answers (or answers the token endpoint only), and counts
 * the requests it is still serving: a request counts as served until its connection is closed,
 * which is what an abandoned attempt that keeps calling the provider looks like from outside.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HangingProvider {
  url: string;
  /** Requests received so far, as "METHOD path". */
  received: string[];
  /** Requests whose connection is still open. */
  open(): number;
  /** The most requests open at one moment. */
  peakOpen(): number;
  close(): Promise<void>;
}

/** `answer` may answer a request (return true); every other request hangs until its client gives up. */
export async function startHangingProvider(
  answer: (req: IncomingMessage, res: ServerResponse) => boolean = () => false,
): Promise<HangingProvider> {
  const received: string[] = [];
  let open = 0;
  let peak = 0;
  const server: Server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    open += 1;
    peak = Math.max(peak, open);
    res.once('close', () => (open -= 1));
    if (!answer(req, res)) req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    open: () => open,
    peakOpen: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
