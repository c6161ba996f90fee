/**
 * The listener the ingress, the metrics and codec servers and the simulators share does not let a
 * client hold a connection by sending its request slowly: past the header or request time it gets
 * 408 and the connection is closed, before any credential was asked for.
 */
import { connect, type Socket } from 'node:net';
import express from 'express';
import { listen, REQUEST_TIMEOUTS } from '../../src/http/listen';

const QUICK = { headersMs: 300, requestMs: 800, checkEveryMs: 50 };

/** Writes `text` on a fresh connection, then nothing more: what the server answers, and whether it closed. */
async function stall(port: number, text: string, waitMs = 5_000): Promise<{ answer: string; closed: boolean }> {
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(text);
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { answer, closed };
}

describe('listen', () => {
  const app = express();
  app.post('/webhooks/p', express.json(), (_req, res) => void res.json({ accepted: 1 }));

  it('closes a connection whose headers never end, and one whose body stalls, with 408', async () => {
    const server = await listen(app, 0, '127.0.0.1', QUICK);
    try {
      const started = Date.now();
      const headers = await stall(server.port, 'POST /webhooks/p HTTP/1.1\r\nHost: x\r\n');
      expect(headers.closed).toBe(true);
      expect(headers.answer).toMatch(/^HTTP\/1\.1 408 /);
      const body = await stall(
        server.port,
        'POST /webhooks/p HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      );
      expect(body.closed).toBe(true);
      expect(body.answer).toMatch(/^HTTP\/1\.1 408 /);
      // Within the limits (and the check's period), not Node's minutes.
      expect(Date.now() - started).toBeLessThan(5_000);

      // A request sent at once is answered as ever.
      const response = await fetch(`http://127.0.0.1:${server.port}/webhooks/p`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      });
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { accepted: 1 } });
    } finally {
      await server.close();
    }
  });

  it('applies the ingress limits by default: seconds for the headers and the request, not minutes', async () => {
    const server = await listen(app, 0, '127.0.0.1');
    try {
      expect(server.server.headersTimeout).toBe(REQUEST_TIMEOUTS.headersMs);
      expect(server.server.requestTimeout).toBe(REQUEST_TIMEOUTS.requestMs);
      expect(REQUEST_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 });
    } finally {
      await server.close();
    }
  });
});
