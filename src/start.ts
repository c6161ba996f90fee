/**
 * `npm start`: the whole stack in one process tree. Without TEMPORAL_ADDRESS an embedded Temporal
 * dev server (SQLite under .data/, Web UI) is started first; then the worker and the ingress.
 * With KYC_PAYLOAD_KEY, a codec endpoint lets the Web UI show payloads in clear.
 * Ctrl-C closes the ingress, drains the worker, and stops the dev server.
 *
 * The `npm start` script sets KYC_DEV_DEFAULTS=1 (development defaults for what is unset, printed
 * below); this file alone, like the other mains, refuses a missing setting.
 */
import { createCodecServer } from './codec-server';
import type { AppConfig } from './app-config';
import { requireCodecAuth } from './config/codec';
import { createDurableIngress } from './ingress/compose';
import { listen } from './http/listen';
import { IngressMetrics } from './ingress/metrics';
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { runtimeMetrics, serveMetrics, setUpWorkerRuntime, workerReadiness } from './observability';
import { createTemporalClient } from './temporal/connection';
import { startDevServer, type RunningDevServer } from './temporal/dev-server';
import { EncryptionCodec } from './temporal/encryption-codec';
import { createWorkerSet } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runtimeMetricsAddress = await setUpWorkerRuntime(config);
  const logger = createLogger('start', config.observability.logLevel);
  printDevDefaults(config);

  const { payloadKey, payloadOldKeys } = config.temporal;
  const { uiPort } = config.temporal.devServer;
  const codec = payloadKey ? await serveCodec(config, new EncryptionCodec(payloadKey, payloadOldKeys)) : undefined;
  const codecUrl = codec && `http://127.0.0.1:${codec.port}`;
  if (codecUrl) process.stdout.write(`codec: endpoint for the Web UI on ${codecUrl}\n`);

  let devServer: RunningDevServer | undefined;
  let address = config.temporal.address;
  if (!address) {
    const { port, dbFile, sqlitePragmas } = config.temporal.devServer;
    devServer = await startDevServer({
      port,
      uiPort,
      dbFile,
      sqlitePragmas,
      namespace: config.temporal.namespace,
      ...(codecUrl ? { uiCodecEndpoint: codecUrl } : {}),
    });
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
  const ingressMetrics = new IngressMetrics();
  const durable = await createDurableIngress({
    client,
    config,
    logger: createLogger('ingress', config.observability.logLevel),
    metrics: ingressMetrics,
  });
  const ingress = await listen(durable.app, config.ingress.port);
  process.stdout.write(`ingress: listening on http://localhost:${ingress.port} (POST /webhooks/<provider>)\n`);
  const metricsServer = await serveMetrics(
    config,
    [() => ingressMetrics.render(), ...(runtimeMetricsAddress ? [runtimeMetrics(runtimeMetricsAddress)] : [])],
    workers.workers.map(workerReadiness),
  );
  if (metricsServer) {
    process.stdout.write(`metrics: http://localhost:${metricsServer.port}/metrics (/healthz, /readyz)\n`);
  }

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
      await metricsServer?.close();
      await codec?.close();
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

/** The codec endpoint for the embedded dev server's Web UI, on loopback (the UI is the browser's, on this host). */
async function serveCodec(config: AppConfig, codec: EncryptionCodec) {
  requireCodecAuth(config.production, config.codec);
  const { uiPort } = config.temporal.devServer;
  return listen(
    createCodecServer({
      codec,
      keyIds: codec.keyIds,
      auth: config.codec.auth,
      allowEncode: config.codec.allowEncode,
      // The dev server's UI may be opened as localhost or 127.0.0.1: both are its origin.
      corsOrigins: [...config.codec.corsOrigins, `http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
    }),
    config.codec.port,
    '127.0.0.1',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-orchestrator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
