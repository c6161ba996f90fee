/** The worker alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createRetrievalWorkers, createWorker, quietSdkLogs } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  quietSdkLogs();
  printDevDefaults(config);
  const logger = createLogger('worker');
  const bundle = config.worker.workflowBundle;
  const { worker, connection } = await createWorker(config, {
    ...(bundle ? { workflows: { workflowBundle: { codePath: bundle } } } : {}),
  });
  const retrievalWorkers = await createRetrievalWorkers(config, connection);
  const run = Promise.all([worker, ...retrievalWorkers].map((each) => each.run())).then(() => undefined);
  logger.info('worker polling', { taskQueue: config.temporal.taskQueue, retrievalQueues: retrievalWorkers.length });
  onShutdownSignal(async () => {
    // The SDK also reacts to SIGINT/SIGTERM and may already be draining the workers.
    for (const each of [worker, ...retrievalWorkers]) if (each.getState() === 'RUNNING') each.shutdown();
    await run;
    await connection.close();
  });
  await run;
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
