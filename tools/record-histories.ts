/**
 * `npm run record-histories`: runs every provider through every path the workflow has
 * (completed, expired, cancelled, continued-as-new, mid-flight) on a real dev server with the
 * built workflow bundle, and writes each history to test/replay/histories/<provider>-<path>.json
 * (with TEMPORAL_ADDRESS: on that cluster, into histories/cluster/).
 * test/replay/replay.test.ts replays them all against the current workflow code, so a change
 * that would break the open verifications of a deployment fails CI (README: "Changing the workflow").
 *
 * Callbacks are signalled as the ingress does (signal-with-start, canonical events in each
 * provider's words); provider APIs are scripted retrieval clients, so no network is needed.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../src/client';
import { enabledProvider, loadConfig, type AppConfig } from '../src/app-config';
import { installRuntime } from '../src/observability/runtime';
import type { RetrievalClient } from '../src/providers/types';
import { resolveTemporalCli } from '../src/temporal/binaries';
import { signalProviderEvent, signalRegistration } from '../src/temporal/verification-start';
import { type CanonicalMeaning, type VerificationEvent, type VerificationPolicy } from '../src/verification/model';
import { KYC_SEARCH_ATTRIBUTES, kycWorkflowId } from '../src/contracts';
import { createWorker } from '../src/worker';
import { historyAsJson, REPLAY_PATHS, type ReplayPath } from './histories';
import { PROVIDERS, type ProviderId } from '../src/providers/registry';

interface Word {
  providerStatus: string;
  meaning: CanonicalMeaning;
}

/** Each provider's story in its own words: a step along the way, the final callback, and what its API answers. */
const STORIES: Record<ProviderId, { context?: Record<string, string>; progress: Word; final: Word; api: Word }> = {
  jumio: {
    context: { accountId: '11111111-aaaa-bbbb-cccc-000000000001' },
    progress: { providerStatus: 'ACQUIRED', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'PROCESSED', meaning: { status: 'SUBMITTED', retrieve: true } },
    api: { providerStatus: 'PROCESSED/PASSED', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
  socure: {
    progress: { providerStatus: 'DOCUMENTS_UPLOADED', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'VERIFICATION_COMPLETED/accept', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
    api: { providerStatus: 'accept', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
  attestr: {
    progress: { providerStatus: 'handshake:consumed', meaning: { status: 'IN_PROGRESS' } },
    final: { providerStatus: 'flowx.completed', meaning: { status: 'COMPLETED' } },
    api: { providerStatus: 'handshake:result', meaning: { status: 'COMPLETED' } },
  },
  unico: {
    progress: { providerStatus: 'SESSION_ENDED', meaning: { status: 'IN_PROGRESS' } },
    final: { providerStatus: 'PROCESS_STATE_FINISHED', meaning: { status: 'SUBMITTED', retrieve: true } },
    api: {
      providerStatus: 'PROCESS_STATE_FINISHED/PROCESS_RESULT_OK',
      meaning: { status: 'COMPLETED', decision: 'APPROVED' },
    },
  },
  concedus: {
    progress: { providerStatus: 'ident:101', meaning: { status: 'SUBMITTED' } },
    final: { providerStatus: 'complianceRecord:100', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
    api: { providerStatus: 'complianceRecord:100', meaning: { status: 'COMPLETED', decision: 'APPROVED' } },
  },
};

/** A decision the provider will revisit (a RiskOS REVIEW on an open case), in canonical terms. */
const PROVISIONAL: Word = {
  providerStatus: 'provisional/REVIEW',
  meaning: { status: 'COMPLETED', decision: 'REVIEW', provisional: { awaiting: 'provider_review' } },
};

/** While a verification should stay open, the API answers with a known, unfinished status (so the deadline expires it). */
const STILL_OPEN: Word = { providerStatus: 'in_progress', meaning: { status: 'IN_PROGRESS' } };

/** Scripted retrieval: the API's answer per reference, set by the path being recorded. */
class ScriptedApi implements RetrievalClient {
  readonly answers = new Map<string, Word>();
  constructor(private readonly provider: ProviderId) {}
  retrieve(reference: string): Promise<VerificationEvent> {
    const word = this.answers.get(reference) ?? STILL_OPEN;
    return Promise.resolve(event(this.provider, reference, word, 'poll'));
  }
}

function event(provider: ProviderId, reference: string, word: Word, source: 'callback' | 'poll'): VerificationEvent {
  const occurredAt = new Date().toISOString();
  return {
    provider,
    reference,
    providerStatus: word.providerStatus,
    occurredAt,
    source,
    dedupKey: `${source}:${word.providerStatus}`,
    meaning: word.meaning,
  };
}

export interface Recording {
  provider: ProviderId;
  path: ReplayPath;
  json: string;
}

/** Records every provider's every path against a Temporal at `env`; returns the histories as JSON. */
export async function recordHistories(env: TestWorkflowEnvironment): Promise<Recording[]> {
  const taskQueue = `replay-recording-${randomUUID()}`;
  const variables = {
    // A tool of the repository: its scripted providers need no credentials, as `npm start` needs none.
    KYC_DEV_DEFAULTS: '1',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...Object.fromEntries(PROVIDERS.map((p) => [`${p.toUpperCase()}_CALLBACK_GRACE`, '1h'])),
  };
  const config = loadConfig(variables);
  // A low ceiling for the continued-as-new path only: that verification starts with its own policy.
  const shortHistory = loadConfig({ ...variables, KYC_MAX_HISTORY_EVENTS: '20' });
  const apis = Object.fromEntries(PROVIDERS.map((p) => [p, new ScriptedApi(p)])) as Record<ProviderId, ScriptedApi>;
  const { worker } = await createWorker(config, {
    connection: env.nativeConnection,
    activityDeps: { retrieval: apis },
  });
  const client = env.client;
  const recordings: Recording[] = [];
  await worker.runUntil(async () => {
    for (const provider of PROVIDERS) {
      for (const path of REPLAY_PATHS) {
        const policy = path === 'continued-as-new' ? enabledProvider(shortHistory, provider).policy : undefined;
        process.stdout.write(`${provider} ${path}\n`);
        const handle = await drive(client, config, apis[provider], provider, path, policy);
        recordings.push({ provider, path, json: historyAsJson(await handle.fetchHistory()) });
      }
    }
  });
  return recordings;
}

/** Takes one verification down one path; returns the handle of the run whose history tells it. */
async function drive(
  client: Client,
  config: AppConfig,
  api: ScriptedApi,
  provider: ProviderId,
  path: ReplayPath,
  policy?: VerificationPolicy,
): Promise<WorkflowHandle> {
  const story = STORIES[provider];
  const reference = `replay-${path}-${randomUUID()}`;
  const kyc = new KycClient(client, config);
  const { taskQueue } = config.temporal;
  const send = (word: Word) => signalProviderEvent(client, taskQueue, event(provider, reference, word, 'callback'));
  const handle = client.workflow.getHandle(kycWorkflowId(provider, reference));
  const expiresAt = new Date(Date.now() + (path === 'expired' ? 3000 : 3600_000));
  // As the app starts it; the policy comes from the worker, except where this path needs its own.
  await signalRegistration(
    client,
    provider,
    taskQueue,
    reference,
    {
      expiresAt: expiresAt.toISOString(),
      customerReference: 'replay-customer',
      ...(story.context ? { context: story.context } : {}),
    },
    policy,
  );

  switch (path) {
    case 'completed':
      api.answers.set(reference, story.api);
      await send(story.progress);
      await send(story.final);
      await handle.result();
      return handle;
    case 'expired':
      await send(story.progress);
      await handle.result();
      return handle;
    case 'cancelled':
      await send(story.progress);
      await kyc.cancelVerification(provider, reference, 'user_left');
      await handle.result();
      return handle;
    case 'continued-as-new': {
      const { runId: firstRunId } = await handle.describe();
      // Distinct progress words, each a new event, until the history passes the ceiling.
      for (let i = 0; i < 12; i++) {
        await send({ providerStatus: `${story.progress.providerStatus}#${i}`, meaning: story.progress.meaning });
      }
      await waitFor(async () => (await handle.describe()).runId !== firstRunId);
      api.answers.set(reference, story.api);
      await send(story.final);
      await handle.result();
      return client.workflow.getHandle(handle.workflowId, firstRunId);
    }
    case 'provisional': {
      // The app's workflow is told of the provisional decision in the background (here one that
      // does not exist: the signal is recorded as not delivered), then the final decision ends it.
      await signalRegistration(client, provider, taskQueue, reference, { notifyWorkflowId: `replay-app-${reference}` });
      await send(story.progress);
      await send(PROVISIONAL);
      await waitFor(async () =>
        (await kyc.getVerification(provider, reference)).timeline.some((entry) =>
          entry.detail?.includes('provisional:0'),
        ),
      );
      api.answers.set(reference, story.api);
      await send(story.final);
      await handle.result();
      return handle;
    }
    case 'mid-flight':
      await send(story.progress);
      // Open, waiting for the result: the history ends where a deployment would find it.
      await waitFor(async () =>
        (await kyc.getVerification(provider, reference)).timeline.some(
          (entry) => entry.providerStatus === story.progress.providerStatus,
        ),
      );
      return handle;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out while recording');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * On a dev server of its own by default; with TEMPORAL_ADDRESS, on that server (the cluster of
 * scripts/cluster.sh, `kyc setup` done) into histories/cluster/, so that what the production
 * shape writes is replayed too.
 */
async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const out = join(__dirname, '..', '..', 'test', 'replay', 'histories', ...(address ? ['cluster'] : []));
  installRuntime({ level: 'warn' });
  const env = address
    ? await TestWorkflowEnvironment.createFromExistingServer({ address })
    : await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: resolveTemporalCli() },
          ip: '127.0.0.1',
          searchAttributes: KYC_SEARCH_ATTRIBUTES,
        },
      });
  try {
    const recordings = await recordHistories(env);
    mkdirSync(out, { recursive: true });
    for (const { provider, path, json } of recordings) {
      const file = join(out, `${provider}-${path}.json`);
      writeFileSync(file, `${json}\n`);
      process.stdout.write(`recorded ${file}\n`);
    }
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
