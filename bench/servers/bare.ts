/**
 * Figure 2's three servers in one forked process, measured one after the other: the full
 * ingress route with the Temporal hand-over replaced by an immediate stub, a bare Express route
 * that parses JSON, and a bare node:http server. Ports are sent to the runner over IPC.
 */
import { createServer } from 'node:http';
import express from 'express';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/app-config';
import { createIngressApp } from '../../src/ingress/app';
import { listen } from '../../src/http/listen';
import { silentLogger } from '../../src/logger';

/** A Temporal client whose every call succeeds at once: the ingress's own cost, nothing else. */
function immediateClient(): Client {
  const done = () => Promise.resolve(undefined);
  const stub = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
    workflow: {
      signalWithStart: done,
      start: done,
      getHandle: () => ({ signal: done }),
    },
  };
  return stub as unknown as Client;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const stubbed = await listen(
    createIngressApp({ client: immediateClient(), config, logger: silentLogger }),
    0,
    '127.0.0.1',
  );

  const bare = express();
  bare.post('/webhooks/:provider', express.json(), (req, res) => {
    res.json({ accepted: req.body ? 1 : 0 });
  });
  const bareExpress = await listen(bare, 0, '127.0.0.1');

  const plain = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: parsed ? 1 : 0 }));
    });
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainAddress = plain.address();
  const plainPort = typeof plainAddress === 'object' && plainAddress ? plainAddress.port : 0;

  process.send?.({ ports: { stubbedIngress: stubbed.port, bareExpress: bareExpress.port, nodeHttp: plainPort } });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench bare servers: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
