/** What every figure gets: the running stack, the app's client, settings, and where rows go. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { KycClient } from '../../src/client';
import { enabledProvider, type AppConfig, type ProviderConfig } from '../../src/app-config';
import type { PlayedStory } from '../../src/testing/kit';
import type { RunningProvider } from '../../src/testing/simulators';
import { signalProviderEvent } from '../../src/temporal/verification-start';
import type { VerificationEvent } from '../../src/verification/model';
import type { FigureRow } from './report';
import type { BenchIngress, BenchWorker, Simulators, TemporalSide } from './stack';

export interface Settings {
  /** Seconds of load per repetition. */
  durationS: number;
  warmupS: number;
  repetitions: number;
  /** Figure 3: callback-to-visible samples per repetition. */
  visibleSamples: number;
  /** Figure 4: verifications per provider per repetition. */
  endToEndCount: number;
  /** Figure 5: open verifications. */
  open: number;
  /** Figure 5: the worker's maxCachedWorkflows (undefined: the SDK default). */
  maxCachedWorkflows?: number;
  /**
   * SQLite pragmas for the dev server every figure but S runs on (default none: what `npm start`
   * uses). Long runs such as 10,000 open opt into WAL to fit in an hour; the worker's memory does not
   * depend on it, and the baselines share the same server.
   */
  sqlitePragmas: string[];
  /** Profile the worker with --cpu-prof during the signals-to-existing run. */
  profile: boolean;
  /** Figures 1 and 4 on a PostgreSQL cluster too: `auto` (the bench's own when it can), `off`, or a running one's address. */
  cluster: string;
  only?: string[];
}

export interface BenchContext {
  settings: Settings;
  side: TemporalSide;
  sims: Simulators;
  env: Record<string, string>;
  config: AppConfig;
  kyc: KycClient;
  client: Client;
  ingress: BenchIngress;
  kycWorker: BenchWorker;
  minimalWorker: BenchWorker;
  bundlePath: string;
  logDir: string;
  rows: FigureRow[];
  diagnostics: Record<string, unknown>;
  log(line: string): void;
}

/**
 * The provider whose callbacks the load figures send: the first registered one whose plainest story
 * is a progress callback, then the verdict in a callback (nothing to retrieve): the hand-over is
 * then what is measured.
 */
export function loadProvider(context: BenchContext): RunningProvider {
  const chosen = loadProviders.get(context);
  if (chosen) return chosen;
  const found = context.sims.providers.find(({ kit, sim }) => {
    const story = Object.values(kit.stories)[0]!;
    return !story.announced && story.play(sim).callbacks.length >= 2;
  });
  if (!found) throw new Error('no registered provider has a story with progress, then a verdict in a callback');
  loadProviders.set(context, found);
  return found;
}
const loadProviders = new WeakMap<BenchContext, RunningProvider>();

/**
 * One callback of the load provider's plainest story for `reference`, as the text sent: its first
 * (progress) or its last (the verdict). `at` makes another event of the same verification.
 */
export function loadCallback(
  context: BenchContext,
  step: 'progress' | 'verdict',
  reference: string = randomUUID(),
  at?: Date,
): { reference: string; body: string } {
  const played = loadStory(context, reference, at);
  const callback = step === 'progress' ? played.callbacks[0]! : played.callbacks.at(-1)!;
  return { reference: played.start.reference, body: JSON.stringify(callback.delivery.body) };
}

/** The load provider's story for `reference`, played (its simulator scripted with the verdict). */
export function loadStory(context: BenchContext, reference: string = randomUUID(), at?: Date): PlayedStory {
  const { kit, sim } = loadProvider(context);
  const story = Object.values(kit.stories)[0]!;
  return story.play(sim, { key: reference, ...(at ? { times: [at, at, at, at] } : {}) });
}

/** What the load provider's callbacks carry to authenticate. */
export function loadHeaders(context: BenchContext): Record<string, string> {
  return { ...loadStory(context).callbacks[0]!.delivery.headers };
}

/** The load provider's webhook route. */
export function loadPath(context: BenchContext): string {
  return `/webhooks/${loadProvider(context).provider}`;
}

function load(context: BenchContext): ProviderConfig {
  return enabledProvider(context.config, loadProvider(context).provider);
}

/** The canonical event the ingress would hand over for this body (parsed before any timing starts). */
export function normalised(context: BenchContext, body: string): VerificationEvent {
  const provider = load(context);
  const parsed = provider.module
    .createCallbackParser(provider.settings)
    .parse(JSON.parse(body), new Date().toISOString());
  const [event] = parsed.events;
  if (!event) throw new Error('the bench callback did not normalise into an event');
  return event;
}

/** The baseline hand-over: the same signalWithStart the ingress makes, from a bare client. */
export function directHandOver(context: BenchContext, client: Client, event: VerificationEvent): Promise<void> {
  return signalProviderEvent(client, context.config.temporal.taskQueue, event);
}
