/**
 * Figure 4: verifications per second end to end, for each registered provider through its
 * simulator (the app starts it, the provider's callbacks of its plainest story through the ingress,
 * a retrieval where the provider's verdict must be fetched, completion), against the minimal
 * workflow doing the same number of signals and activities with no logic.
 */
import { performance } from 'node:perf_hooks';
import { kycWorkflowId } from '../../src/contracts';
import type { ProviderStory } from '../../src/testing/kit';
import type { RunningSimulator } from '../../src/testing/simulator-http';
import type { RunningProvider } from '../../src/testing/simulators';
import { MINIMAL_WORKFLOW_TYPE, minimalSignal, type MinimalInput } from '../workflows/minimal';
import type { BenchContext } from '../lib/context';
import { withConcurrency } from '../lib/load';
import { row } from '../lib/report';
import { MINIMAL_TASK_QUEUE } from '../lib/stack';
import { repeated } from '../lib/stats';
import { randomUUID } from 'node:crypto';

export interface FlowOptions {
  /** Extra deliveries of the first callback before the others (the worst path's duplicates). */
  duplicates?: number;
  /** Failed retrieval attempts before the simulator answers (a provider outage). */
  outage?: number;
  /** Another ingress to send the callbacks to (default: the bench's). */
  ingressUrl?: string;
}

/** A flow runs one verification to its end and returns its workflow ID. */
export type Flow = (context: BenchContext, options?: FlowOptions) => Promise<string>;

/** What a provider's normal path costs Temporal, so its baseline does the same. */
export interface ProviderFlow {
  run: Flow;
  /** Signals: the app's registration and each callback. */
  signals: number;
  /** Activities: the retrieval of an announced verdict (0 when the callback carries it). */
  activities: number;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

/** The provider's plainest story: the app starts it, every callback comes, the first 1 + duplicates times. */
function storyFlow({ provider, sim }: RunningProvider, story: ProviderStory<RunningSimulator>): Flow {
  return async (context, options = {}) => {
    const played = story.play(sim, { faults: { serverError: options.outage ?? 0 } });
    await context.kyc.startVerification(played.start);
    const url = `${options.ingressUrl ?? context.ingress.url}/webhooks/${provider}`;
    const [first, ...rest] = played.callbacks;
    for (let i = 0; first && i <= (options.duplicates ?? 0); i += 1) {
      await post(url, first.delivery.body, first.delivery.headers);
    }
    for (const { delivery } of rest) await post(url, delivery.body, delivery.headers);
    const state = await context.kyc.waitForVerification(provider, played.start.reference, { timeoutMs: 180_000 });
    if (state.status !== story.truth.status) {
      throw new Error(`${provider} verification ended ${state.status}, not ${story.truth.status}`);
    }
    return kycWorkflowId(provider, played.start.reference);
  };
}

/** Each registered provider's flow, with the shape its baseline copies. */
export function providerFlows(context: BenchContext): Map<string, ProviderFlow> {
  return new Map(
    context.sims.providers.map((running) => {
      const story = Object.values(running.kit.stories)[0]!;
      const callbacks = story.play(running.sim).callbacks.length;
      return [
        running.provider,
        { run: storyFlow(running, story), signals: callbacks + 1, activities: story.announced ? 1 : 0 },
      ];
    }),
  );
}

/** The same number of signals and activities as `shape`, with no logic; duplicates add signals. */
export function minimalFlow(shape: Pick<ProviderFlow, 'signals' | 'activities'>): Flow {
  return async (context, options = {}) => {
    const input: MinimalInput = {
      signals: shape.signals + (options.duplicates ?? 0),
      activities: shape.activities,
      waitMs: 3_600_000,
    };
    const handle = await context.client.workflow.signalWithStart(MINIMAL_WORKFLOW_TYPE, {
      taskQueue: MINIMAL_TASK_QUEUE,
      workflowId: `bench-minimal-${randomUUID()}`,
      args: [input],
      signal: minimalSignal,
      signalArgs: [{}],
    });
    for (let i = 1; i < input.signals; i += 1) await handle.signal(minimalSignal, { i });
    await handle.result();
    return handle.workflowId;
  };
}

/** One baseline per shape (providers with the same counts share it): its name and its flow. */
export function baselines(flows: Map<string, ProviderFlow>): Map<string, Flow> {
  const shapes = new Map<string, Flow>();
  for (const flow of flows.values()) {
    const name = shapeName(flow);
    if (!shapes.has(name)) shapes.set(name, minimalFlow(flow));
  }
  return shapes;
}

export function shapeName(shape: Pick<ProviderFlow, 'signals' | 'activities'>): string {
  return `minimal workflow, ${shape.signals} signals, ${shape.activities} activit${shape.activities === 1 ? 'y' : 'ies'}`;
}

export async function endToEndFigure(context: BenchContext): Promise<void> {
  const { endToEndCount, repetitions } = context.settings;
  const rate = async (flow: Flow, count: number): Promise<number> => {
    const t0 = performance.now();
    await withConcurrency(Array.from({ length: count }), 10, async () => void (await flow(context)));
    return count / ((performance.now() - t0) / 1000);
  };
  const providers = providerFlows(context);
  const flows: [string, Flow][] = [
    ...[...providers].map(([name, flow]): [string, Flow] => [name, flow.run]),
    ...baselines(providers),
  ];
  const results = new Map<string, number[]>(flows.map(([name]) => [name, []]));
  // Warm-up: a few of each, so the first repetition does not pay for cold caches and connections.
  for (const [, flow] of flows) await rate(flow, 5);
  for (let rep = 0; rep < repetitions; rep += 1) {
    for (const [name, flow] of flows) results.get(name)!.push(await rate(flow, endToEndCount));
    context.log(
      `  end to end rep ${rep + 1}: ${flows.map(([name]) => `${name} ${results.get(name)!.at(-1)!.toFixed(1)}/s`).join(', ')}`,
    );
  }
  for (const [name, flow] of providers) {
    const baseline = shapeName(flow);
    context.rows.push(
      row(
        '4',
        `${name} verifications/s end to end (c10)`,
        '/s',
        repeated(results.get(name)!),
        baseline,
        repeated(results.get(baseline)!),
        { on: 'ratio', atLeast: 0.9 },
      ),
    );
  }
}
