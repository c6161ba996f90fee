/**
 * `npm run record-histories -- --provider P [--provider Q …] [--path completed …] [--keep-as <change>]`
 * (or `--all` for every registered provider): runs each chosen provider through the chosen paths the
 * workflow has (completed, expired, cancelled, continued-as-new, mid-flight; all by default) on a
 * real dev server with the built workflow bundle, and writes each history into the provider's folder,
 * src/providers/<provider>/test/histories/<provider>-<path>.json (with TEMPORAL_ADDRESS: on that
 * cluster, into its histories/cluster/). Only those files are written, and only once every recording succeeded; no
 * other provider's file, and no history kept from before a change, is touched. `--keep-as <change>`
 * first renames each current file to <provider>-<path>.before-<change>.json (docs/operations.md, "Changing
 * the workflow"); `--out <dir>` writes into another folder. test/replay/replay.test.ts replays them
 * all against the current workflow code, so a change that would break the open verifications of a deployment fails CI.
 *
 * Callbacks are signalled as the ingress does (signal-with-start, canonical events in each
 * provider's words, from its src/providers/<id>/test/cases.ts); provider APIs are scripted
 * retrieval clients, so no network is needed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../src/client';
import { enabledProvider, loadConfig, type AppConfig } from '../src/app-config';
import { installRuntime } from '../src/observability/runtime';
import { providerVariable } from '../src/providers/settings';
import type { RetrievalClient } from '../src/providers/types';
import { resolveTemporalCli } from '../src/temporal/binaries';
import { signalProviderEvent, signalRegistration } from '../src/temporal/verification-start';
import { type VerificationEvent, type VerificationPolicy } from '../src/verification/model';
import { KYC_SEARCH_ATTRIBUTES, kycWorkflowId } from '../src/contracts';
import { createWorker } from '../src/worker';
import {
  historiesDir,
  historyAsJson,
  loadCases,
  REPLAY_PATHS,
  type ReplayPath,
  type ReplayStory,
  type Word,
} from './histories';
import { isProviderId, PROVIDERS, type ProviderId } from '../src/providers/registry';

/** Which providers, down which paths. */
export interface Selection {
  providers: readonly ProviderId[];
  paths: readonly ReplayPath[];
}

export interface RecordOptions extends Selection {
  /** Keep each current file as <provider>-<path>.before-<keepAs>.json before writing the new one. */
  keepAs?: string;
  /** One folder for every provider's, instead of each provider's own (for trying a recording out). */
  out?: string;
}

/** A mistake in the command line: the message says what is wrong and what is valid. */
export class UsageError extends Error {}

const USAGE =
  'usage: npm run record-histories -- --provider <id> [--provider <id> …] [--path <path> …] [--keep-as <change>]\n' +
  '       npm run record-histories -- --all [--path <path> …] [--keep-as <change>]\n' +
  "       (--out <dir> writes them all into that folder instead of each provider's test/histories/)";

function isReplayPath(value: string): value is ReplayPath {
  return (REPLAY_PATHS as readonly string[]).includes(value);
}

/** Reads the command line; without --provider or --all it refuses, so that no run rewrites every file by accident. */
export function parseRecordArgs(argv: readonly string[]): RecordOptions {
  let values: { provider?: string[]; path?: string[]; all?: boolean; 'keep-as'?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        provider: { type: 'string', multiple: true },
        path: { type: 'string', multiple: true },
        all: { type: 'boolean' },
        'keep-as': { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  const named = values.provider ?? [];
  if (values.all && named.length > 0) throw new UsageError(`--all and --provider exclude each other\n${USAGE}`);
  if (!values.all && named.length === 0) {
    throw new UsageError(`say which providers: --provider <id> (${PROVIDERS.join(', ')}) or --all\n${USAGE}`);
  }
  for (const provider of named) {
    if (!isProviderId(provider)) {
      throw new UsageError(`unknown provider '${provider}': the providers are ${PROVIDERS.join(', ')}`);
    }
  }
  for (const path of values.path ?? []) {
    if (!isReplayPath(path)) throw new UsageError(`unknown path '${path}': the paths are ${REPLAY_PATHS.join(', ')}`);
  }
  const keepAs = values['keep-as'];
  if (keepAs !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(keepAs)) {
    throw new UsageError(`--keep-as takes a change ID of lower-case letters, digits and '-' (like a patch ID)`);
  }
  return {
    providers: values.all ? PROVIDERS : [...new Set(named as ProviderId[])],
    paths: values.path ? REPLAY_PATHS.filter((path) => values.path!.includes(path)) : REPLAY_PATHS,
    ...(keepAs ? { keepAs } : {}),
    ...(values.out ? { out: values.out } : {}),
  };
}

/** The file one provider's history down one path is kept in. */
export function historyFile(dir: string, provider: ProviderId, path: ReplayPath): string {
  return join(dir, `${provider}-${path}.json`);
}

/** The file a history is kept as from before the change `keepAs`. */
export function keptHistoryFile(dir: string, provider: ProviderId, path: ReplayPath, keepAs: string): string {
  return join(dir, `${provider}-${path}.before-${keepAs}.json`);
}

/** Every file a run with this selection writes: the chosen providers' chosen paths, nothing else. */
export function plannedWrites(selection: Selection, dir: string): string[] {
  return selection.providers.flatMap((provider) => selection.paths.map((path) => historyFile(dir, provider, path)));
}

/**
 * Writes recorded histories into `dir`, each through a temporary file renamed into place. With
 * `keepAs`, first renames each current file to its `.before-<keepAs>` name, refusing (nothing
 * written) if such a file is there already. Returns the files written.
 */
export function writeRecordings(
  recordings: readonly Recording[],
  dir: string | ((provider: ProviderId) => string),
  keepAs?: string,
): string[] {
  const dirOf = (provider: ProviderId) => (typeof dir === 'string' ? dir : dir(provider));
  for (const { provider } of recordings) mkdirSync(dirOf(provider), { recursive: true });
  if (keepAs) {
    const taken = recordings
      .map(({ provider, path }) => keptHistoryFile(dirOf(provider), provider, path, keepAs))
      .filter((file) => existsSync(file));
    if (taken.length > 0) {
      throw new Error(`histories kept as before-${keepAs} are there already: ${taken.join(', ')}; nothing written`);
    }
    for (const { provider, path } of recordings) {
      const current = historyFile(dirOf(provider), provider, path);
      if (existsSync(current)) renameSync(current, keptHistoryFile(dirOf(provider), provider, path, keepAs));
    }
  }
  return recordings.map(({ provider, path, json }) => {
    const file = historyFile(dirOf(provider), provider, path);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${json}\n`);
    renameSync(temporary, file);
    return file;
  });
}

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

/** Records the chosen providers down the chosen paths against a Temporal at `env`; returns the histories as JSON. */
export async function recordHistories(
  env: TestWorkflowEnvironment,
  selection: Selection = { providers: PROVIDERS, paths: REPLAY_PATHS },
): Promise<Recording[]> {
  const stories = new Map<ProviderId, ReplayStory>();
  for (const provider of selection.providers) stories.set(provider, (await loadCases(provider)).replay);
  const taskQueue = `replay-recording-${randomUUID()}`;
  const variables = {
    // A tool of the repository: its scripted providers need no credentials, as `npm start` needs none.
    KYC_DEV_DEFAULTS: '1',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    KYC_PROVIDERS: selection.providers.join(','),
    ...Object.fromEntries(selection.providers.map((p) => [providerVariable(p, 'CALLBACK_GRACE'), '1h'])),
  };
  const config = loadConfig(variables);
  // A low ceiling for the continued-as-new path only: that verification starts with its own policy.
  const shortHistory = loadConfig({ ...variables, KYC_MAX_HISTORY_EVENTS: '20' });
  const apis = Object.fromEntries(selection.providers.map((p) => [p, new ScriptedApi(p)])) as Record<
    ProviderId,
    ScriptedApi
  >;
  const { worker } = await createWorker(config, {
    connection: env.nativeConnection,
    activityDeps: { retrieval: apis },
  });
  const client = env.client;
  const recordings: Recording[] = [];
  await worker.runUntil(async () => {
    for (const provider of selection.providers) {
      for (const path of selection.paths) {
        const policy = path === 'continued-as-new' ? enabledProvider(shortHistory, provider).policy : undefined;
        process.stdout.write(`${provider} ${path}\n`);
        const handle = await drive(client, config, apis[provider], stories.get(provider)!, provider, path, policy);
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
  story: ReplayStory,
  provider: ProviderId,
  path: ReplayPath,
  policy?: VerificationPolicy,
): Promise<WorkflowHandle> {
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
 * scripts/cluster.sh, `kyc setup` done) into each provider's histories/cluster/, so that what the production
 * shape writes is replayed too.
 */
async function main(argv: readonly string[]): Promise<void> {
  const options = parseRecordArgs(argv);
  const address = process.env.TEMPORAL_ADDRESS;
  // Each provider's into its own folder (src/providers/<id>/test/histories/, cluster/ below it).
  const out = options.out ?? ((provider: ProviderId) => historiesDir(provider, address ? 'cluster' : 'dev-server'));
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
    // Every recording first, in memory: a failure half-way leaves the files as they were.
    const recordings = await recordHistories(env, options);
    for (const file of writeRecordings(recordings, out, options.keepAs)) process.stdout.write(`recorded ${file}\n`);
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`record-histories: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`record-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
