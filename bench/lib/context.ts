/** What every figure gets: the running stack, the app's client, settings, and where rows go. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { KycClient } from '../../src/client';
import { enabledProvider, type AppConfig, type ProviderConfig } from '../../src/app-config';
import { socureCallbacks } from '../../src/providers/socure/testing/simulator';
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

/** Socure's callbacks (bearer auth, the seed's docv shape) are the ones the load figures send. */
export function socureCallback(
  context: BenchContext,
  eventType: string,
  reference: string = randomUUID(),
  options: { decision?: string; at?: Date } = {},
) {
  return { reference, body: JSON.stringify(socureCallbacks.docv(reference, eventType, options)) };
}

export function socureHeaders(context: BenchContext): Record<string, string> {
  return context.sims.socure.callbackHeaders();
}

function socure(context: BenchContext): ProviderConfig {
  return enabledProvider(context.config, 'socure');
}

/** The canonical event the ingress would hand over for this body (parsed before any timing starts). */
export function normalised(context: BenchContext, body: string): VerificationEvent {
  const provider = socure(context);
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
