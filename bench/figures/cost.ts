/**
 * Figure 6: what one verification costs Temporal: history events and payload bytes, for each
 * provider's normal path and its worst path (many duplicate callbacks, a retrieval outage),
 * read from the histories through the client, against the minimal workflow's. The worst path
 * runs through the bench's ingress (exact redeliveries answered from its memory of acknowledged
 * events) and through one with that memory off (KYC_INGRESS_DEDUP_ENTRIES=0), side by side.
 */
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { BenchContext } from '../lib/context';
import { row } from '../lib/report';
import { startIngress } from '../lib/stack';
import { repeated } from '../lib/stats';
import { minimalFlow, providerFlows, shapeName, type Flow, type FlowOptions } from './end-to-end';

/** Payloads in a history: their count, total bytes (data + metadata) and the largest one. */
export interface HistoryCost {
  events: number;
  payloadBytes: number;
  largestPayload: number;
  /** The history event that carries the largest payload (e.g. the completion with the final state). */
  largestPayloadIn: string;
  /** Signals and scheduled activities: the shape the minimal baseline must match. */
  signals: number;
  activities: number;
}

export async function historyCost(context: BenchContext, workflowId: string): Promise<HistoryCost> {
  const history = await context.client.workflow.getHandle(workflowId).fetchHistory();
  const cost: HistoryCost = {
    events: history.events?.length ?? 0,
    payloadBytes: 0,
    largestPayload: 0,
    largestPayloadIn: '',
    signals: 0,
    activities: 0,
  };
  let eventType = '';
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    const candidate = node as { data?: unknown; metadata?: Record<string, Uint8Array> };
    if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') {
      const size =
        candidate.data.length +
        Object.entries(candidate.metadata).reduce((sum, [key, value]) => sum + key.length + (value?.length ?? 0), 0);
      cost.payloadBytes += size;
      if (size > cost.largestPayload) {
        cost.largestPayload = size;
        cost.largestPayloadIn = eventType;
      }
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const event of history.events ?? []) {
    eventType = String(EventType[event.eventType ?? 0] ?? event.eventType);
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) cost.signals += 1;
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) cost.activities += 1;
    visit(event);
  }
  return cost;
}

const EventType = temporal.api.enums.v1.EventType;

/** The worst path: many exact redeliveries of the first callback, and a retrieval outage. */
export const WORST: FlowOptions = { duplicates: 100, outage: 8 };

export async function costFigure(context: BenchContext): Promise<void> {
  const measure = async (flow: Flow, options?: FlowOptions) => historyCost(context, await flow(context, options));
  const providers = [...providerFlows(context)];
  const normal: Record<string, HistoryCost[]> = {};
  for (let rep = 0; rep < context.settings.repetitions; rep += 1) {
    for (const [name, flow] of providers) {
      (normal[name] ??= []).push(await measure(flow.run));
      (normal[shapeName(flow)] ??= []).push(await measure(minimalFlow(flow)));
    }
  }
  // The baseline must do what the verification did: say so when a provider's path changed shape.
  for (const [name, flow] of providers) {
    const seen = normal[name]![0]!;
    if (seen.signals !== flow.signals || seen.activities !== flow.activities) {
      context.log(
        `  ${name}: ${seen.signals} signals, ${seen.activities} activities; its baseline assumes ` +
          `${flow.signals} and ${flow.activities}`,
      );
    }
  }
  const withoutDedup = await startIngress(
    { ...context.env, KYC_INGRESS_DEDUP_ENTRIES: '0' },
    join(context.logDir, 'ingress-no-dedup.log'),
  );
  let worst: Record<string, HistoryCost>;
  try {
    // The worst paths run side by side: their outage is mostly waiting on retry backoff.
    const runs: [string, Promise<HistoryCost>][] = [];
    for (const [name, flow] of providers) {
      runs.push([name, measure(flow.run, WORST)]);
      runs.push([`${name} without dedup`, measure(flow.run, { ...WORST, ingressUrl: withoutDedup.url })]);
      if (!runs.some(([key]) => key === shapeName(flow)))
        runs.push([shapeName(flow), measure(minimalFlow(flow), WORST)]);
    }
    worst = Object.fromEntries(await Promise.all(runs.map(async ([key, cost]) => [key, await cost] as const)));
  } finally {
    await withoutDedup.child.stop();
  }
  context.diagnostics.cost = { normal, worst };
  const of = (costs: HistoryCost[], key: 'events' | 'payloadBytes' | 'largestPayload') =>
    repeated(costs.map((c) => c[key]));
  for (const [name, flow] of providers) {
    const baseline = shapeName(flow);
    const worstLabel = `worst path (${WORST.duplicates} duplicate callbacks, ${
      flow.activities ? `${WORST.outage} failed retrievals` : 'no retrieval on its path'
    })`;
    const worstBaseline = `${baseline} + ${WORST.duplicates} signals`;
    context.rows.push(
      row(
        '6',
        `${name} normal path: history events`,
        '',
        of(normal[name]!, 'events'),
        baseline,
        of(normal[baseline]!, 'events'),
        {
          on: 'value',
          atMost: 30,
        },
      ),
      row(
        '6',
        `${name} normal path: payload bytes`,
        'B',
        of(normal[name]!, 'payloadBytes'),
        baseline,
        of(normal[baseline]!, 'payloadBytes'),
      ),
      row(
        '6',
        `${name} ${worstLabel}: history events`,
        '',
        of([worst[name]!], 'events'),
        worstBaseline,
        of([worst[baseline]!], 'events'),
        {
          on: 'value',
          atMost: 512,
        },
      ),
      row(
        '6',
        `${name} ${worstLabel}, ingress dedup off: history events`,
        '',
        of([worst[`${name} without dedup`]!], 'events'),
        worstBaseline,
        of([worst[baseline]!], 'events'),
        { on: 'value', atMost: 512 },
      ),
      row(
        '6',
        `${name} ${worstLabel}: largest payload`,
        'B',
        of([worst[name]!], 'largestPayload'),
        worstBaseline,
        of([worst[baseline]!], 'largestPayload'),
        { on: 'value', atMost: 65536 },
      ),
      row(
        '6',
        `${name} ${worstLabel}: payload bytes`,
        'B',
        of([worst[name]!], 'payloadBytes'),
        worstBaseline,
        of([worst[baseline]!], 'payloadBytes'),
      ),
    );
  }
}
