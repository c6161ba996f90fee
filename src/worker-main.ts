/** The worker alone (containers, scaled-out deployments): needs TEMPORAL_ADDRESS. */
import { createLogger } from './logger';
import { loadConfigOrExit, onShutdownSignal, printDevDefaults } from './main-support';
import { createWorker, quietSdkLogs } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  quietSdkLogs();
  printDevDefaults(config);
  const logger = createLogger('worker');
  const bundle = config.worker.workflowBundle;
  const { worker, connection } = await createWorker(config, {
    ...(bundle ? { workflows: { workflowBundle: { codePath: bundle } } } : {}),
  });
  const run = worker.run();
  logger.info('worker polling', { taskQueue: config.temporal.taskQueue });
  onShutdownSignal(async () => {
    // The SDK also reacts to SIGINT/SIGTERM and may already be draining the worker.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
    await connection.close();
  });
  await run;
}

main().catch((err: unknown) => {
  process.stderr.write(`kyc-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
