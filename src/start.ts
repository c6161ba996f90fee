/**
 * `npm start`: the whole stack in one process tree. Without TEMPORAL_ADDRESS an embedded Temporal
 * dev server (SQLite under .data/, Web UI) is started first; then the worker and the ingress.
 * Ctrl-C closes the ingress, drains the worker, and stops the dev server.
 */
import { createDurableIngress } from './ingress/compose';
import { listen } from './http/listen';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createTemporalClient } from './temporal/connection';
import { startDevServer, type RunningDevServer } from './temporal/dev-server';
import { createWorkerSet, quietSdkLogs } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  quietSdkLogs();
  const logger = createLogger('start');
  printDevDefaults(config);

  let devServer: RunningDevServer | undefined;
  let address = config.temporal.address;
  if (!address) {
    const { port, uiPort, dbFile } = config.temporal.devServer;
    devServer = await startDevServer({ port, uiPort, dbFile, namespace: config.temporal.namespace });
    address = devServer.address;
    process.stdout.write(`temporal: dev server on ${address}, Web UI on ${devServer.uiUrl} (data in ${dbFile})\n`);
  } else {
    const { apiKey, tls } = config.temporal.connection;
    const security = [tls ? 'TLS' : 'plaintext', ...(apiKey ? ['API key'] : [])].join(', ');
    process.stdout.write(`temporal: using ${address} (namespace ${config.temporal.namespace}, ${security})\n`);
  }

  const workers = await createWorkerSet({ ...config, temporal: { ...config.temporal, address } });
  const { connection } = workers;
  const workerRun = workers.run();
  process.stdout.write(`worker: polling task queue ${config.temporal.taskQueue}\n`);

  const client = createTemporalClient(config, address);
  const durable = await createDurableIngress({ client, config, logger: createLogger('ingress') });
  const ingress = await listen(durable.app, config.ingress.port);
  process.stdout.write(`ingress: listening on http://localhost:${ingress.port} (POST /webhooks/<provider>)\n`);

  onShutdownSignal(async (signal) => {
    logger.info('shutting down', { signal });
    try {
      await ingress.close();
      await durable.close();
      // The SDK also reacts to SIGINT/SIGTERM and may already be draining the worker.
      workers.shutdown();
      await workerRun;
      await connection.close();
      await client.connection.close();
    } finally {
      await devServer?.stop();
    }
    process.stdout.write('stopped\n');
  });

  workerRun.catch(async (err: unknown) => {
    logger.error('worker stopped unexpectedly', { error: err instanceof Error ? err.message : String(err) });
    await ingress.close().catch(() => undefined);
    await devServer?.stop();
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-orchestrator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
