import { DefaultLogger, Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { enabledProvider, type AppConfig } from './config';
import { createActivities, type ActivityDeps } from './activities';
import { connectWorker, dataConverter } from './temporal/connection';
import type { RetrievalClient } from './providers/types';
import type { ProviderId } from './verification/model';

/** The workflow code: a prebuilt bundle when given (production, tests), else bundled from source at start. */
export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

export function defaultWorkflowSource(): WorkflowSource {
  return { workflowsPath: require.resolve('./workflows') };
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

/** Each enabled provider's policy: the workflow asks the worker for it, so starters need no provider settings. */
export function providerPolicies(config: AppConfig): NonNullable<ActivityDeps['policies']> {
  return Object.fromEntries(config.enabledProviders.map((id) => [id, enabledProvider(config, id).policy]));
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
    activities: createActivities({
      retrieval: retrievalClients(config),
      policies: providerPolicies(config),
      notify: { notify: config.notify },
      ...options.activityDeps,
    }),
    dataConverter: dataConverter(config),
    ...options.overrides,
  });
  return { worker, connection, ownsConnection };
}

/** The SDK logs every bundling step at INFO; operators need its warnings and errors only. */
export function quietSdkLogs(level: 'WARN' | 'ERROR' = 'WARN'): void {
  Runtime.install({ logger: new DefaultLogger(level) });
}
