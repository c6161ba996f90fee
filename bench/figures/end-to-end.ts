/**
 * Figure 4: verifications per second end to end, for each provider through its simulator (the
 * app starts it, the provider's callbacks through the ingress, a retrieval where the provider's
 * verdict must be fetched, completion), against the minimal workflow doing the same number of
 * signals and activities with no logic.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { socureCallbacks } from '../../src/providers/socure/testing/simulator';
import { type ProviderId } from '../../src/providers/registry';
import { kycWorkflowId } from '../../src/contracts';
import { MINIMAL_WORKFLOW_TYPE, minimalSignal, type MinimalInput } from '../workflows/minimal';
import { socureHeaders, type BenchContext } from '../lib/context';
import { withConcurrency } from '../lib/load';
import { row } from '../lib/report';
import { MINIMAL_TASK_QUEUE } from '../lib/stack';
import { repeated } from '../lib/stats';

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

/** Posts the first callback 1 + duplicates times (an exact redelivery each time), then the others once. */
async function deliver(
  context: BenchContext,
  provider: ProviderId,
  options: FlowOptions,
  headers: Record<string, string>,
  [first, ...rest]: unknown[],
): Promise<void> {
  const url = `${options.ingressUrl ?? context.ingress.url}/webhooks/${provider}`;
  for (let i = 0; i <= (options.duplicates ?? 0); i += 1) await post(url, first, headers);
  for (const body of rest) await post(url, body, headers);
}

export const jumioFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  const accountId = randomUUID();
  context.sims.jumio.script(reference, {
    accountId,
    status: 'PROCESSED',
    decision: { type: 'PASSED' },
    faults: { serverError: options.outage ?? 0 },
  });
  await context.kyc.startVerification({ provider: 'jumio', reference, context: { accountId } });
  const t0 = Date.now();
  const sim = context.sims.jumio;
  await deliver(context, 'jumio', options, {}, [
    sim.callback(reference, 'INITIATED', new Date(t0)),
    sim.callback(reference, 'ACQUIRED', new Date(t0 + 1000)),
    sim.callback(reference, 'PROCESSED', new Date(t0 + 2000)),
  ]);
  return finished(context, 'jumio', reference);
};

export const socureFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  context.sims.socure.script(reference, { decision: 'accept', faults: { serverError: options.outage ?? 0 } });
  await context.kyc.startVerification({ provider: 'socure', reference });
  const t0 = Date.now();
  await deliver(context, 'socure', options, socureHeaders(context), [
    socureCallbacks.docv(reference, 'APP_OPENED', { at: new Date(t0) }),
    socureCallbacks.docv(reference, 'DOCUMENTS_UPLOADED', { at: new Date(t0 + 1000) }),
    // No decision in the callback: the worker retrieves it from the simulator.
    socureCallbacks.docv(reference, 'VERIFICATION_COMPLETED', { at: new Date(t0 + 2000) }),
  ]);
  return finished(context, 'socure', reference);
};

/** Unico: a progress event, then "finished ok", whose verdict GetProcess gives. */
export const unicoFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  const sim = context.sims.unico;
  sim.script(reference, {
    state: 'PROCESS_STATE_FINISHED',
    result: 'PROCESS_RESULT_OK',
    faults: { serverError: options.outage ?? 0 },
  });
  await context.kyc.startVerification({ provider: 'unico', reference });
  await deliver(context, 'unico', options, sim.webhookHeaders, [
    // lastEvent only: a webhook with a state too would be two events (two signals).
    sim.callback(reference, { flow: 'id', lastEvent: 'EVENT_TYPE_PROCESS_STARTED_BY_USER' }),
    sim.finished(reference, 'ok'),
  ]);
  return finished(context, 'unico', reference);
};

/**
 * Attestr: flowx.completed is the only callback and carries the signed result, so nothing is
 * retrieved. Its duplicates (worst path) arrive once the verification is closed.
 */
export const attestrFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  const sim = context.sims.attestr;
  await context.kyc.startVerification({ provider: 'attestr', reference });
  await deliver(context, 'attestr', options, sim.webhookHeaders(), [sim.flowxCallback(reference, 'flowx.completed')]);
  return finished(context, 'attestr', reference);
};

/**
 * Concedus: a customer's compliance record (100, accepted) is the verdict itself; nothing is
 * retrieved. Its duplicates (worst path) arrive once the verification is closed.
 */
export const concedusFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  const sim = context.sims.concedus;
  await context.kyc.startVerification({ provider: 'concedus', reference, context: { keyKind: 'customer' } });
  await deliver(context, 'concedus', options, sim.callbackHeaders, [
    [sim.complianceRecord({ customerKey: reference })],
  ]);
  return finished(context, 'concedus', reference);
};

async function finished(context: BenchContext, provider: ProviderId, reference: string): Promise<string> {
  const state = await context.kyc.waitForVerification(provider, reference, { timeoutMs: 180_000 });
  if (state.status !== 'COMPLETED') throw new Error(`${provider} verification ended ${state.status}, not COMPLETED`);
  return kycWorkflowId(provider, reference);
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

export const FLOWS: Record<ProviderId, ProviderFlow> = {
  jumio: { run: jumioFlow, signals: 4, activities: 1 },
  socure: { run: socureFlow, signals: 4, activities: 1 },
  unico: { run: unicoFlow, signals: 3, activities: 1 },
  attestr: { run: attestrFlow, signals: 2, activities: 0 },
  concedus: { run: concedusFlow, signals: 2, activities: 0 },
};

/** One baseline per shape (providers with the same counts share it): its name and its flow. */
export function baselines(): Map<string, Flow> {
  const shapes = new Map<string, Flow>();
  for (const flow of Object.values(FLOWS)) {
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
  const flows: [string, Flow][] = [
    ...Object.entries(FLOWS).map(([name, flow]): [string, Flow] => [name, flow.run]),
    ...baselines(),
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
  for (const [name, flow] of Object.entries(FLOWS)) {
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
