/** The worker alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { runtimeMetrics, serveMetrics, setUpWorkerRuntime, workerReadiness } from './observability';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runtimeMetricsAddress = await setUpWorkerRuntime(config);
  printDevDefaults(config);
  const logger = createLogger('worker', config.observability.logLevel);
  const { worker, connection } = await createWorker(config);
  const run = worker.run();
  const metricsServer = await serveMetrics(
    config,
    runtimeMetricsAddress ? [runtimeMetrics(runtimeMetricsAddress)] : [],
    [workerReadiness(worker)],
  );
  logger.info('worker polling', { taskQueue: config.temporal.taskQueue, metricsPort: metricsServer?.port });
  onShutdownSignal(async () => {
    // The SDK also reacts to SIGINT/SIGTERM and may already be draining the worker.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
    await connection.close();
    await metricsServer?.close();
  });
  await run;
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
