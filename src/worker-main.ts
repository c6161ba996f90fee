/** The worker alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createWorkerSet, quietSdkLogs } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  quietSdkLogs();
  printDevDefaults(config);
  const logger = createLogger('worker');
  const bundle = config.worker.workflowBundle;
  const set = await createWorkerSet(config, bundle ? { workflows: { workflowBundle: { codePath: bundle } } } : {});
  const { connection } = set;
  const run = set.run();
  logger.info('worker polling', { taskQueue: config.temporal.taskQueue, retrievalQueues: set.workers.length - 1 });
  onShutdownSignal(async () => {
    set.shutdown();
    await run;
    await connection.close();
  });
  await run;
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
