/** The worker alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { runtimeMetrics, serveMetrics, setUpWorkerRuntime, workerReadiness } from './observability';
import { createWorkerSet } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runtimeMetricsAddress = await setUpWorkerRuntime(config);
  printDevDefaults(config);
  const logger = createLogger('worker', config.observability.logLevel);
  const bundle = config.worker.workflowBundle;
  const set = await createWorkerSet(config, bundle ? { workflows: { workflowBundle: { codePath: bundle } } } : {});
  const { connection } = set;
  const run = set.run();
  // Ready while every worker of the set (verifications and each provider's retrieval) is running.
  const metricsServer = await serveMetrics(
    config,
    runtimeMetricsAddress ? [runtimeMetrics(runtimeMetricsAddress)] : [],
    set.workers.map(workerReadiness),
  );
  logger.info('worker polling', {
    taskQueue: config.temporal.taskQueue,
    retrievalQueues: set.workers.length - 1,
    metricsPort: metricsServer?.port,
  });
  onShutdownSignal(async () => {
    set.shutdown();
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
