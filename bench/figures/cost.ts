/**
 * Figure 6: what one verification costs Temporal: history events and payload bytes, for each
 * provider's normal path and its worst path (many duplicate callbacks, a retrieval outage),
 * read from the histories through the client, against the minimal workflow's.
 */
import { temporal } from '@temporalio/proto';
import type { BenchContext } from '../lib/context';
import { row } from '../lib/report';
import { repeated } from '../lib/stats';
import { FLOWS, minimalFlow, type Flow, type FlowOptions } from './end-to-end';

/** Payloads in a history: their count, total bytes (data + metadata) and the largest one. */
export interface HistoryCost {
  events: number;
  payloadBytes: number;
  largestPayload: number;
  /** The history event that carries the largest payload (e.g. the completion with the final state). */
  largestPayloadIn: string;
}

export async function historyCost(context: BenchContext, workflowId: string): Promise<HistoryCost> {
  const history = await context.client.workflow.getHandle(workflowId).fetchHistory();
  const cost: HistoryCost = {
    events: history.events?.length ?? 0,
    payloadBytes: 0,
    largestPayload: 0,
    largestPayloadIn: '',
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
    visit(event);
  }
  return cost;
}

const EventType = temporal.api.enums.v1.EventType;

const WORST: FlowOptions = { duplicates: 100, outage: 8 };

export async function costFigure(context: BenchContext): Promise<void> {
  const measure = async (flow: Flow, options?: FlowOptions) => historyCost(context, await flow(context, options));
  const normal: Record<string, HistoryCost[]> = {};
  const flows: [string, Flow][] = [...Object.entries(FLOWS), ['minimal', minimalFlow]];
  for (let rep = 0; rep < context.settings.repetitions; rep += 1) {
    for (const [name, flow] of flows) (normal[name] ??= []).push(await measure(flow));
  }
  // The worst paths run side by side: their outage is mostly waiting on retry backoff.
  const worstEntries = await Promise.all(
    flows.map(async ([name, flow]) => [name, await measure(flow, WORST)] as const),
  );
  const worst = Object.fromEntries(worstEntries);
  context.diagnostics.cost = { normal, worst };
  const of = (costs: HistoryCost[], key: 'events' | 'payloadBytes' | 'largestPayload') =>
    repeated(costs.map((c) => c[key]));
  const baseline = 'minimal workflow';
  const worstLabel = `worst path (${WORST.duplicates} duplicate callbacks, ${WORST.outage} failed retrievals)`;
  for (const name of Object.keys(FLOWS)) {
    context.rows.push(
      row(
        '6',
        `${name} normal path: history events`,
        '',
        of(normal[name]!, 'events'),
        baseline,
        of(normal.minimal!, 'events'),
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
        of(normal.minimal!, 'payloadBytes'),
      ),
      row(
        '6',
        `${name} ${worstLabel}: history events`,
        '',
        of([worst[name]!], 'events'),
        baseline,
        of([worst.minimal!], 'events'),
        {
          on: 'value',
          atMost: 512,
        },
      ),
      row(
        '6',
        `${name} ${worstLabel}: largest payload`,
        'B',
        of([worst[name]!], 'largestPayload'),
        baseline,
        of([worst.minimal!], 'largestPayload'),
        {
          on: 'value',
          atMost: 65536,
        },
      ),
      row(
        '6',
        `${name} ${worstLabel}: payload bytes`,
        'B',
        of([worst[name]!], 'payloadBytes'),
        baseline,
        of([worst.minimal!], 'payloadBytes'),
      ),
    );
  }
}
