import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { enabledProvider, type AppConfig } from './app-config';
import { createActivities, type ActivityDeps } from './activities';
import { createLateVerdictNotifyActivities } from './late-verdicts/activity';
import { connectWorker, dataConverter } from './temporal/connection';
import type { RetrievalClient } from './providers/types';
import { type ProviderId } from './providers/registry';
import { retrievalTaskQueue } from './contracts';

/** The workflow code: a prebuilt bundle when given (production, tests), else bundled from source at start. */
export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/** Written by `npm run build` (scripts/build-workflow-bundle.mjs) beside the compiled worker. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/**
 * The bundle built at build time when it is there (dist/), so a worker starts without running
 * webpack; run from source (tests, ts-node), the workflows are bundled at start.
 */
export function defaultWorkflowSource(dir = __dirname): WorkflowSource {
  const codePath = join(dir, WORKFLOW_BUNDLE_FILE);
  return existsSync(codePath)
    ? { workflowBundle: { codePath } }
    : { workflowsPath: require.resolve('./all-workflows') };
}

/** Retrieval clients for every enabled provider, built from configuration. */
export function retrievalClients(config: AppConfig): ActivityDeps['retrieval'] {
  const clients: Partial<Record<ProviderId, RetrievalClient>> = {};
  for (const id of config.enabledProviders) {
    const provider = enabledProvider(config, id);
    clients[id] = provider.module.createRetrievalClient(provider.settings);
  }
  return clients;
}

/**
 * Each enabled provider's policy: the workflow asks the worker for it, so starters need no provider
 * settings. With `retrievalQueues`, provider calls go to the provider's rate-limited queue, which
 * this process then serves ({@link createRetrievalWorkers}).
 */
export function providerPolicies(
  config: AppConfig,
  options: { retrievalQueues?: boolean } = {},
): NonNullable<ActivityDeps['policies']> {
  return Object.fromEntries(
    config.enabledProviders.map((id) => {
      const policy = enabledProvider(config, id).policy;
      const queue = options.retrievalQueues
        ? { retrievalTaskQueue: retrievalTaskQueue(config.temporal.taskQueue, id) }
        : {};
      return [id, { ...policy, ...queue }];
    }),
  );
}

/** Composes a worker: connection, workflow code, activities from their dependencies. Nothing else. */
export async function createWorker(
  config: AppConfig,
  options: {
    connection?: NativeConnection;
    workflows?: WorkflowSource;
    activityDeps?: ActivityDeps;
    overrides?: Partial<WorkerOptions>;
  } = {},
): Promise<{ worker: Worker; connection: NativeConnection; ownsConnection: boolean }> {
  const ownsConnection = !options.connection;
  const connection = options.connection ?? (await connectWorker(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflows ?? defaultWorkflowSource()),
    activities: {
      ...createActivities({
        retrieval: retrievalClients(config),
        policies: providerPolicies(config),
        notify: { notify: config.notify },
        ...options.activityDeps,
      }),
      // For the late-verdict push (its own workflow on this queue), notified like the verdicts.
      ...createLateVerdictNotifyActivities(options.activityDeps?.notify ?? { notify: config.notify }),
    },
    dataConverter: dataConverter(config),
    ...(config.worker.maxCachedWorkflows ? { maxCachedWorkflows: config.worker.maxCachedWorkflows } : {}),
    ...options.overrides,
  });
  return { worker, connection, ownsConnection };
}

/**
 * One activity-only worker per enabled provider, on `<taskQueue>-retrieval-<provider>`, whose
 * `maxTaskQueueActivitiesPerSecond` (P_MAX_POLLS_PER_SECOND) the server enforces across every
 * worker of that queue: retrieval calls to a provider never exceed its rate, however many
 * verifications wake at once.
 */
export async function createRetrievalWorkers(
  config: AppConfig,
  connection: NativeConnection,
  activityDeps: ActivityDeps = { retrieval: retrievalClients(config), policies: providerPolicies(config) },
): Promise<Worker[]> {
  return Promise.all(
    config.enabledProviders.map((id) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: retrievalTaskQueue(config.temporal.taskQueue, id),
        activities: createActivities(activityDeps),
        dataConverter: dataConverter(config),
        maxTaskQueueActivitiesPerSecond: enabledProvider(config, id).maxPollsPerSecond,
      }),
    ),
  );
}

/**
 * The workers as the mains run them: the verification worker, whose provider calls go to the
 * per-provider retrieval queues, and the rate-limited retrieval workers serving those queues.
 */
export async function createWorkerSet(
  config: AppConfig,
  options: { workflows?: WorkflowSource } = {},
): Promise<{ workers: Worker[]; connection: NativeConnection; run(): Promise<void>; shutdown(): void }> {
  const { worker, connection } = await createWorker(config, {
    ...options,
    activityDeps: {
      retrieval: retrievalClients(config),
      policies: providerPolicies(config, { retrievalQueues: true }),
    },
  });
  const workers = [worker, ...(await createRetrievalWorkers(config, connection))];
  return {
    workers,
    connection,
    run: () => Promise.all(workers.map((each) => each.run())).then(() => undefined),
    // The SDK also reacts to SIGINT/SIGTERM and may already be draining some of them.
    shutdown: () => workers.forEach((each) => each.getState() === 'RUNNING' && each.shutdown()),
  };
}
