import { createHash } from 'node:crypto';
import { kycWorkflowId } from '../contracts';
import type { VerificationEvent } from '../verification/model';

/**
 * The events this ingress process has handed to Temporal and Temporal acknowledged, newest last,
 * bounded (least recently seen dropped first). A provider that redelivers a callback it already
 * got a 2xx for (a lost answer, a replayed backlog) is then answered 200 without a second signal:
 * each such signal costs the verification four history events and a workflow task, and the
 * workflow would only record it as a duplicate.
 *
 * Only acknowledged signals are remembered: an event that went to the durable inbox, found the
 * verification closed, or failed is handed over again on every delivery. The memory is local and
 * lost on restart, so the workflow's own dedup (its `seen` keys) stays the guarantee; this is an
 * optimisation in front of it.
 */
export class AcceptedCallbacks {
  private readonly entries = new Map<string, true>();
  /** Each event's key, worked out once: `has` and then `remember` ask for the same event. */
  private readonly keys = new WeakMap<VerificationEvent, string>();

  /** `capacity` 0 disables it: nothing is remembered, every delivery is handed over. */
  constructor(readonly capacity: number) {}

  /** True when exactly this event was acknowledged for this workflow before (and refreshes it). */
  has(workflowId: string, event: VerificationEvent): boolean {
    if (this.capacity === 0) return false;
    const key = this.keyOf(workflowId, event);
    if (!this.entries.has(key)) return false;
    // A Map iterates in insertion order: re-inserting makes it the most recently seen.
    this.entries.delete(key);
    this.entries.set(key, true);
    return true;
  }

  /** Call only once Temporal has acknowledged the signal for this event. */
  remember(workflowId: string, event: VerificationEvent): void {
    if (this.capacity === 0) return;
    const key = this.keyOf(workflowId, event);
    this.entries.delete(key);
    this.entries.set(key, true);
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  private keyOf(workflowId: string, event: VerificationEvent): string {
    const known = this.keys.get(event);
    if (known?.startsWith(`${workflowId}\u0000`)) return known;
    const key = identity(workflowId, event);
    this.keys.set(event, key);
    return key;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Step 4, what Temporal already has: each item marked `known` when exactly its event was
 * acknowledged before, so the hand-over skips its signal.
 */
export function markKnown<T extends { event: VerificationEvent }>(
  accepted: AcceptedCallbacks,
  provider: string,
  items: T[],
): (T & { known: boolean })[] {
  return items.map((item) => ({
    ...item,
    known: accepted.has(kycWorkflowId(provider, item.event.reference), item.event),
  }));
}

/**
 * The workflow ID and the event's dedup key, plus a digest of what the workflow would read from
 * the event (status word, meaning, detail, context, provider time): two deliveries that share a
 * dedup key but differ in anything the workflow uses are both handed over, and the workflow
 * decides. The receive time is not part of an event, so a redelivery of the same body matches.
 */
function identity(workflowId: string, event: VerificationEvent): string {
  const content = JSON.stringify([
    event.source,
    event.providerStatus,
    event.occurredAt ?? null,
    event.meaning,
    event.detail ?? null,
    event.context ?? null,
  ]);
  const digest = createHash('sha256').update(content).digest('base64url').slice(0, 22);
  return `${workflowId}\u0000${event.dedupKey}\u0000${digest}`;
}
