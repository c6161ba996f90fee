/**
 * The set-up a test file needs, registered once with jest's beforeAll/afterAll instead of copied
 * into every file: a real Temporal dev server (`useTemporal`), plus registered providers'
 * simulators from their testing kits and our worker and ingress pointed at them
 * (`useProviderStack`, or `useDurableStack` for the ingress as the mains compose it, with its
 * local inbox and dead letters). Everything is stopped after the file's tests, in reverse order.
 * Read the fixture's fields inside tests and hooks: they are set once beforeAll has run.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { KycClient } from '../../src/client';
import type { ProviderId } from '../../src/providers/registry';
import type { PlayedStory, StoryTruth } from '../../src/testing/kit';
import type { RunningSimulator } from '../../src/testing/simulator-http';
import { startSimulators, type RunningProvider, type RunningSimulators } from '../../src/testing/simulators';
import { isTerminal, type VerificationState } from '../../src/verification/model';
import { startDurableStack, type DurableStack } from './durable-stack';
import { eventually, startStack, startTemporal, type Stack } from './stack';

export type TemporalOptions = Parameters<typeof startTemporal>[0];

export interface TemporalFixture {
  readonly env: TestWorkflowEnvironment;
}

/** A real Temporal dev server for the calling test file. */
export function useTemporal(options?: TemporalOptions): TemporalFixture {
  const fixture = {} as { env: TestWorkflowEnvironment };
  beforeAll(async () => {
    fixture.env = await startTemporal(options);
  });
  afterAll(async () => {
    await fixture.env?.teardown();
  });
  return fixture;
}

export interface ProviderStackOptions {
  /** Variables on top of the simulators' own (timings, notification, encryption...), given the providers started. */
  variables?: Record<string, string> | ((providers: readonly ProviderId[]) => Record<string, string>);
  temporal?: TemporalOptions;
}

export interface ProviderStackFixture<S> extends TemporalFixture {
  readonly sims: RunningSimulators;
  readonly stack: S;
  readonly kyc: KycClient;
  /** One started provider's kit and simulator (typed as its kit's simulator). */
  of<Sim extends RunningSimulator = RunningSimulator>(provider: ProviderId): RunningProvider & { sim: Sim };
}

/** Which providers to start: IDs, or a choice made once the file runs (`pickProvider`). */
export type Providers = ProviderId | readonly ProviderId[] | (() => Promise<ProviderId | readonly ProviderId[]>);

function useStackOf<S extends { client: Stack['client']; config: Stack['config']; stop(): Promise<void> }>(
  providers: Providers,
  options: ProviderStackOptions,
  start: (env: TestWorkflowEnvironment, variables: Record<string, string>) => Promise<S>,
): ProviderStackFixture<S> {
  const state = {} as { env: TestWorkflowEnvironment; sims: RunningSimulators; stack: S; kyc: KycClient };
  beforeAll(async () => {
    state.env = await startTemporal(options.temporal);
    const chosen = typeof providers === 'function' ? await providers() : providers;
    state.sims = await startSimulators(typeof chosen === 'string' ? [chosen] : chosen);
    const started = state.sims.providers.map(({ provider }) => provider);
    const extra = typeof options.variables === 'function' ? options.variables(started) : (options.variables ?? {});
    state.stack = await start(state.env, { ...state.sims.environment, ...extra });
    state.kyc = new KycClient(state.stack.client, state.stack.config);
  });
  afterAll(async () => {
    await state.stack?.stop();
    await state.sims?.close();
    await state.env?.teardown();
  });
  return {
    get env() {
      return state.env;
    },
    get sims() {
      return state.sims;
    },
    get stack() {
      return state.stack;
    },
    get kyc() {
      return state.kyc;
    },
    of: <Sim extends RunningSimulator>(provider: ProviderId) =>
      state.sims.of(provider) as RunningProvider & { sim: Sim },
  };
}

/** Temporal, the providers' simulators, and our worker and ingress pointed at them. */
export function useProviderStack(
  providers: Providers,
  options: ProviderStackOptions = {},
): ProviderStackFixture<Stack> {
  return useStackOf(providers, options, startStack);
}

/** The same with the ingress as the mains compose it: its local inbox and dead letters, and `kyc` in process. */
export function useDurableStack(
  providers: Providers,
  options: ProviderStackOptions = {},
): ProviderStackFixture<DurableStack> {
  return useStackOf(providers, options, startDurableStack);
}

/** Starts a played story's verification as an operator would: `kyc start`, with its context. */
export async function startViaCli(
  stack: Pick<DurableStack, 'kyc'>,
  played: PlayedStory,
  ...extra: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { provider, reference, context } = played.start;
  const contextArgs = Object.entries(context ?? {}).flatMap(([key, value]) => ['--context', `${key}=${value}`]);
  return stack.kyc('start', '--provider', provider, '--reference', reference, ...contextArgs, ...extra);
}

/** Waits until the verification has ended; throws if it has not within the time. */
export function awaitEnd(
  kyc: KycClient,
  provider: ProviderId,
  reference: string,
  timeoutMs = 60_000,
): Promise<VerificationState> {
  return eventually(
    async () => {
      const current = await kyc.getVerification(provider, reference);
      return isTerminal(current.status) ? current : undefined;
    },
    timeoutMs,
    `${provider} ${reference} to end`,
  );
}

/**
 * Waits for the verification to end and compares its verdict with the story's truth: the state,
 * and what is wrong with it (`never ended`, or the verdict it reached instead), if anything.
 */
export async function awaitVerdict(
  kyc: KycClient,
  provider: ProviderId,
  reference: string,
  truth: StoryTruth,
  timeoutMs = 60_000,
): Promise<{ state?: VerificationState; problem?: string }> {
  let state: VerificationState;
  try {
    state = await awaitEnd(kyc, provider, reference, timeoutMs);
  } catch {
    return { problem: 'never ended' };
  }
  if (state.status !== truth.status || state.decision !== truth.decision) {
    return {
      state,
      problem: `${state.status}/${state.decision ?? '-'} instead of ${truth.status}/${truth.decision ?? '-'}`,
    };
  }
  return { state };
}
