/**
 * Figure 3: from the callback's HTTP request to the `state` query showing the change, against a
 * direct signal followed by the same queries. One at a time, on verifications already open.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { stateQuery, kycWorkflowId, providerEventSignal } from '../../src/contracts';
import { normalised, socureCallback, socureHeaders, type BenchContext } from '../lib/context';
import { withConcurrency } from '../lib/load';
import { sleep } from '../lib/processes';
import { row } from '../lib/report';
import { latencySummary, repeated } from '../lib/stats';

export async function visibleFigure(context: BenchContext): Promise<void> {
  const { repetitions, visibleSamples } = context.settings;
  const references = Array.from({ length: 2 * visibleSamples * (repetitions + 1) }, (): string => randomUUID());
  await withConcurrency(references, 10, async (reference) => {
    await context.kyc.startVerification({ provider: 'socure', reference });
    // A query answers once the first workflow task ran; under a backlog that can take a while.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await context.kyc.getVerification('socure', reference);
        return;
      } catch (err) {
        if (attempt > 60) throw err;
        await sleep(1000);
      }
    }
  });
  const headers = { ...socureHeaders(context), 'content-type': 'application/json' };
  const url = `${context.ingress.url}/webhooks/socure`;

  /** Queries until the verification shows SUBMITTED; the time from `send` to that answer. */
  const visibleAfter = async (reference: string, send: (body: string) => Promise<void>): Promise<number> => {
    const { body } = socureCallback(context, 'DOCUMENTS_UPLOADED', reference);
    const handle = context.client.workflow.getHandle(kycWorkflowId('socure', reference));
    const t0 = performance.now();
    await send(body);
    for (;;) {
      const state = await handle.query(stateQuery);
      if (state.status === 'SUBMITTED') return performance.now() - t0;
    }
  };
  const viaIngress = (reference: string) =>
    visibleAfter(reference, async (body) => {
      const response = await fetch(url, { method: 'POST', headers, body });
      if (response.status !== 200) throw new Error(`ingress answered ${response.status}`);
    });
  const viaSignal = (reference: string) =>
    visibleAfter(reference, async (body) => {
      const event = normalised(context, body);
      await context.client.workflow.getHandle(kycWorkflowId('socure', reference)).signal(providerEventSignal, event);
    });

  let next = 0;
  const sample = async (measure: (reference: string) => Promise<number>, count: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i += 1) latencies.push(await measure(references[next++]!));
    return latencySummary(latencies);
  };
  // Warm-up: a few of each, not counted.
  await sample(viaIngress, Math.min(5, visibleSamples));
  await sample(viaSignal, Math.min(5, visibleSamples));
  const ingress: { p50: number; p99: number }[] = [];
  const direct: { p50: number; p99: number }[] = [];
  for (let rep = 0; rep < repetitions; rep += 1) {
    ingress.push(await sample(viaIngress, visibleSamples));
    direct.push(await sample(viaSignal, visibleSamples));
    context.log(
      `  visible rep ${rep + 1}: p50 ${ingress.at(-1)!.p50.toFixed(0)} ms vs ${direct.at(-1)!.p50.toFixed(0)} ms`,
    );
  }
  const baseline = 'direct signal, then query';
  context.rows.push(
    row(
      '3',
      'callback to visible state: p50',
      'ms',
      repeated(ingress.map((s) => s.p50)),
      baseline,
      repeated(direct.map((s) => s.p50)),
      { on: 'ratio', atMost: 1.3 },
    ),
    row(
      '3',
      'callback to visible state: p99',
      'ms',
      repeated(ingress.map((s) => s.p99)),
      baseline,
      repeated(direct.map((s) => s.p99)),
    ),
  );
}
