/**
 * A bench worker process (forked by the runner): our worker as src/worker.ts composes it, or the
 * baseline worker running the minimal workflow. The SDK's Prometheus metrics are on a port it
 * reports when ready; the runner asks for heap figures over IPC.
 */
import { getHeapStatistics } from 'node:v8';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadConfig } from '../../src/app-config';
import { startOnFreePorts } from '../../src/http/free-port';
import { createWorker } from '../../src/worker';
import * as minimalActivities from '../workflows/minimal-activities';

export interface WorkerProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  nativeContexts: number;
  cachedWorkflows: number;
  activationsInFlight: number;
  maxCachedWorkflows: number | undefined;
  reuseV8Context: boolean | undefined;
}

async function main(): Promise<void> {
  const kind = process.env.BENCH_WORKER_KIND ?? 'kyc';
  // The runtime binds the port itself: picked free, and installed once more on another if it was taken.
  const metricsPort = await startOnFreePorts(
    1,
    ([port]) => {
      Runtime.install({
        logger: new DefaultLogger('ERROR'),
        telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } },
      });
      return Promise.resolve(port!);
    },
    { what: "bench worker's metrics exporter" },
  );
  const overrides: Partial<WorkerOptions> = {};
  if (process.env.BENCH_MAX_CACHED_WORKFLOWS)
    overrides.maxCachedWorkflows = Number(process.env.BENCH_MAX_CACHED_WORKFLOWS);
  if (process.env.BENCH_REUSE_V8_CONTEXT) overrides.reuseV8Context = process.env.BENCH_REUSE_V8_CONTEXT === 'true';

  const config = loadConfig(process.env);
  let worker: Worker;
  if (kind === 'minimal') {
    const connection = await NativeConnection.connect({ address: config.temporal.address! });
    worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: require.resolve('../workflows/minimal'),
      activities: minimalActivities,
      ...overrides,
    });
  } else {
    const codePath = process.env.BENCH_WORKFLOW_BUNDLE;
    ({ worker } = await createWorker(config, {
      overrides,
      ...(codePath ? { workflows: { workflowBundle: { codePath } } } : {}),
    }));
  }
  const run = worker.run();

  process.on('message', (message: unknown) => {
    if (message !== 'memory') return;
    // A full collection first, so the figure is what the open workflows hold, not garbage.
    (globalThis as { gc?: () => void }).gc?.();
    const usage = process.memoryUsage();
    const memory: WorkerProcessMemory = {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      nativeContexts: getHeapStatistics().number_of_native_contexts,
      cachedWorkflows: worker.getStatus().numCachedWorkflows,
      activationsInFlight: worker.getStatus().numInFlightWorkflowActivations,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      reuseV8Context: worker.options.reuseV8Context,
    };
    process.send?.({ memory });
  });
  // SIGTERM from the runner, or the runner gone (its IPC channel closed): drain and exit.
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ ready: { metricsPort } });
  await run;
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
