/**
 * Figure 4: verifications per second end to end (the app starts it, three callbacks through the
 * ingress, one retrieval from the provider's simulator, completion), against the minimal
 * workflow doing the same number of signals and activities with no logic.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { socureCallbacks } from '../../src/providers/socure/simulator';
import { kycWorkflowId } from '../../src/workflows/messages';
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
}

/** A flow runs one verification to its end and returns its workflow ID. */
export type Flow = (context: BenchContext, options?: FlowOptions) => Promise<string>;

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
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
  const url = `${context.ingress.url}/webhooks/jumio`;
  const first = context.sims.jumio.callback(reference, 'INITIATED', new Date(t0));
  for (let i = 0; i <= (options.duplicates ?? 0); i += 1) await post(url, first);
  await post(url, context.sims.jumio.callback(reference, 'ACQUIRED', new Date(t0 + 1000)));
  await post(url, context.sims.jumio.callback(reference, 'PROCESSED', new Date(t0 + 2000)));
  return finished(context, 'jumio', reference);
};

export const socureFlow: Flow = async (context, options = {}) => {
  const reference = randomUUID();
  context.sims.socure.script(reference, { decision: 'accept', faults: { serverError: options.outage ?? 0 } });
  await context.kyc.startVerification({ provider: 'socure', reference });
  const t0 = Date.now();
  const url = `${context.ingress.url}/webhooks/socure`;
  const headers = socureHeaders(context);
  const first = socureCallbacks.docv(reference, 'APP_OPENED', { at: new Date(t0) });
  for (let i = 0; i <= (options.duplicates ?? 0); i += 1) await post(url, first, headers);
  await post(url, socureCallbacks.docv(reference, 'DOCUMENTS_UPLOADED', { at: new Date(t0 + 1000) }), headers);
  // No decision in the callback: the worker retrieves it from the simulator.
  await post(url, socureCallbacks.docv(reference, 'VERIFICATION_COMPLETED', { at: new Date(t0 + 2000) }), headers);
  return finished(context, 'socure', reference);
};

async function finished(context: BenchContext, provider: 'jumio' | 'socure', reference: string): Promise<string> {
  const state = await context.kyc.waitForVerification(provider, reference, { timeoutMs: 180_000 });
  if (state.status !== 'COMPLETED') throw new Error(`${provider} verification ended ${state.status}, not COMPLETED`);
  return kycWorkflowId(provider, reference);
}

/** The same number of signals (registration + 3 callbacks) and one activity, with no logic. */
export const minimalFlow: Flow = async (context, options = {}) => {
  const input: MinimalInput = { signals: 4 + (options.duplicates ?? 0), activities: 1, waitMs: 3_600_000 };
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

export const FLOWS = { jumio: jumioFlow, socure: socureFlow } as const;

export async function endToEndFigure(context: BenchContext): Promise<void> {
  const { endToEndCount, repetitions } = context.settings;
  const rate = async (flow: Flow, count: number): Promise<number> => {
    const t0 = performance.now();
    await withConcurrency(Array.from({ length: count }), 10, async () => void (await flow(context)));
    return count / ((performance.now() - t0) / 1000);
  };
  const results: Record<string, number[]> = { jumio: [], socure: [], minimal: [] };
  const flows: [string, Flow][] = [...Object.entries(FLOWS), ['minimal', minimalFlow]];
  for (const [, flow] of flows) await rate(flow, 5);
  for (let rep = 0; rep < repetitions; rep += 1) {
    for (const [name, flow] of flows) results[name]!.push(await rate(flow, endToEndCount));
    context.log(
      `  end to end rep ${rep + 1}: ${flows.map(([name]) => `${name} ${results[name]!.at(-1)!.toFixed(1)}/s`).join(', ')}`,
    );
  }
  for (const name of Object.keys(FLOWS)) {
    context.rows.push(
      row(
        '4',
        `${name} verifications/s end to end (c10)`,
        '/s',
        repeated(results[name]!),
        'minimal workflow, same signals and activity',
        repeated(results.minimal!),
        {
          on: 'ratio',
          atLeast: 0.8,
        },
      ),
    );
  }
}
