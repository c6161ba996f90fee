/**
 * Step 5, hand over: each event to its verification's workflow, durably with Temporal before the
 * provider gets its 2xx. Bounded in flight (beyond the adaptive limit a callback is refused with
 * 503 at once rather than queued past the provider's timeout), within the start bound for
 * callbacks that would start a verification, and, for a provider that never retries, into the
 * local inbox whenever Temporal cannot take it now.
 */
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError, type Client } from '@temporalio/client';
import type { AppConfig, ProviderConfig } from '../app-config';
import { kycWorkflowId } from '../contracts';
import type { DurableInbox } from '../inbox/durable-inbox';
import type { Logger } from '../logger';
import { deliverEvent } from '../temporal/deliver';
import type { StartBudget } from '../temporal/start-budget';
import type { VerificationEvent } from '../verification/model';
import type { AcceptedCallbacks } from './dedup';
import type { HandoverLimit } from './handover-limit';
import type { IngressMetrics } from './metrics';
import { overloaded, startLimited, temporalUnavailable } from './unavailable';

/** Hand-overs to different verifications that run at once, so a large array answers within the provider's timeout. */
const HANDOVER_CONCURRENCY = 8;

/** One event of a callback on its way: whether it may start its verification, and what dedup knows of it. */
export interface HandOverItem {
  event: VerificationEvent;
  /** It may start the verification (within the start bound); false: it may only join one. */
  startIfMissing: boolean;
  /** Older than the namespace's retention: it only joins an open verification, never starts one. */
  stale: boolean;
  /** Temporal acknowledged exactly this event before: no signal needed. */
  known: boolean;
  /**
   * Its verification only the app starts (`ParsedCallback.joinOnly`): not there is `absent`, and
   * there but closed is `late`, as for any event of a closed verification.
   */
  joinOnly?: boolean;
}

/**
 * accepted: Temporal has it; duplicate: it had it already; late: the verification has closed;
 * absent: no verification to join (and the event may not start one); stale: likewise, for an old
 * event; queued: it waits in the local inbox.
 */
export type HandOverOutcome = 'accepted' | 'duplicate' | 'late' | 'absent' | 'stale' | 'queued';

export interface HandOverDeps {
  client: Client;
  config: AppConfig;
  logger: Logger;
  metrics: IngressMetrics;
  handovers: HandoverLimit;
  accepted: AcceptedCallbacks;
  starts: StartBudget;
  inbox?: DurableInbox;
  /** How long one hand-over may take before the provider is answered 503 (providers time out at ~5 s). */
  timeoutMs: number;
}

export interface HandOver {
  (provider: ProviderConfig, items: HandOverItem[]): Promise<HandOverOutcome[]>;
  /** The provider's events go to the local inbox when Temporal cannot take them (it never retries). */
  keepsAnInbox(provider: ProviderConfig): boolean;
}

export function handOverStep(deps: HandOverDeps): HandOver {
  const { client, config, logger, metrics, handovers, accepted, starts } = deps;

  const keepsAnInbox = (provider: ProviderConfig): boolean =>
    deps.inbox !== undefined && config.reliability.inboxProviders.includes(provider.id);

  const handOverAll = async (provider: ProviderConfig, items: HandOverItem[]): Promise<HandOverOutcome[]> => {
    // A redelivery of events Temporal already acknowledged needs no hand-over, so no slot either.
    const needsHandover = items.some((item) => !item.known);
    // A provider that never retries is not refused: its events go on to the hand-over, and to the inbox if that fails.
    if (needsHandover && handovers.full && !keepsAnInbox(provider)) {
      // Counted, not logged: under a burst this happens hundreds of times a second.
      metrics.events.inc({ provider: provider.id, result: 'overloaded' }, items.length);
      throw overloaded(handovers.refuse());
    }
    return inParallelPerVerification(items, (item) =>
      item.known ? Promise.resolve(duplicate(provider, item.event)) : handOverOne(provider, item),
    );
  };

  /** An exact redelivery of an event Temporal acknowledged: counted and logged, not signalled again. */
  function duplicate(provider: ProviderConfig, event: VerificationEvent): 'duplicate' {
    metrics.events.inc({ provider: provider.id, result: 'duplicate' });
    logger.debug('callback already handed over; not signalled again', {
      workflowId: kycWorkflowId(provider.id, event.reference),
      providerStatus: event.providerStatus,
    });
    return 'duplicate';
  }

  /**
   * Hands one event to its verification. `startIfMissing`: it may start the verification, within
   * the start bound; past the bound it may only join an existing one, and a callback that would
   * start one waits (in the inbox, or as a 503 the provider retries). A `stale` event only joins.
   */
  async function handOverOne(provider: ProviderConfig, item: HandOverItem): Promise<HandOverOutcome> {
    const { event, startIfMissing, stale } = item;
    const workflowId = kycWorkflowId(provider.id, event.reference);
    const grant = startIfMissing ? starts.mayStart(provider.id, workflowId) : false;
    const slot = handovers.enter();
    // Temporal answered, or the deadline passed: a sample of its latency for the limit. A hand-over
    // that failed at once (Temporal unreachable) is none (src/ingress/handover-limit.ts).
    let tookTemporalsTime = true;
    const endTimer = metrics.handover.startTimer({ provider: provider.id });
    try {
      let outcome;
      try {
        outcome = await deliverEvent(client, config.temporal.taskQueue, event, {
          startIfMissing: grant !== false,
          deadline: Date.now() + deps.timeoutMs,
          lateIfClosed: item.joinOnly === true,
        });
      } catch (err) {
        tookTemporalsTime = isGrpcDeadlineError(err);
        // Nothing was started: the token serves the next callback (after an outage, the providers' retries).
        if (grant === 'granted') starts.giveBack(provider.id);
        if (keepsAnInbox(provider)) {
          endTimer({ result: 'queued' });
          return await keepInInbox(provider, item, errorKind(err));
        }
        metrics.events.inc({ provider: provider.id, result: 'temporal_unavailable' });
        endTimer({ result: 'temporal_unavailable' });
        logger.warn('temporal unavailable for callback', { workflowId, error: errorKind(err) });
        throw temporalUnavailable();
      }
      if (outcome === 'accepted') {
        // Only now, acknowledged by Temporal, may a redelivery skip its signal.
        accepted.remember(workflowId, event);
        starts.noteExists(workflowId);
        metrics.events.inc({ provider: provider.id, result: 'accepted' });
        endTimer({ result: 'accepted' });
        logger.info('callback handed over', { workflowId, providerStatus: event.providerStatus });
        return 'accepted';
      }
      if (grant === 'granted') starts.giveBack(provider.id);
      if (outcome === 'late') {
        // The verification has already closed; by the ID reuse policy a late callback starts nothing.
        metrics.events.inc({ provider: provider.id, result: 'late' });
        endTimer({ result: 'late' });
        logger.warn('callback for a closed verification ignored', { workflowId, providerStatus: event.providerStatus });
        return 'late';
      }
      // Absent: no verification to join, and this hand-over could not start one.
      if (stale || !startIfMissing) {
        endTimer({ result: stale ? 'stale' : 'absent' });
        return stale ? 'stale' : 'absent';
      }
      // Past the start bound, and no verification to join.
      endTimer({ result: 'start_limited' });
      metrics.events.inc({ provider: provider.id, result: 'start_limited' });
      // A provider that never retries is not refused: the drainer starts it when the bound allows.
      if (keepsAnInbox(provider)) return await keepInInbox(provider, item, 'start_limited');
      throw startLimited(starts.retryAfterSeconds(provider.id));
    } finally {
      handovers.release(slot, tookTemporalsTime);
    }
  }

  /**
   * For a provider that never retries, a 503 would lose the event: it waits, fsynced, in the inbox
   * (`why`: Temporal unreachable, or the start bound reached).
   */
  async function keepInInbox(provider: ProviderConfig, item: HandOverItem, why: string): Promise<'queued'> {
    try {
      await deps.inbox!.append({
        kind: 'event',
        provider: provider.id,
        event: item.event,
        startIfMissing: item.startIfMissing,
        ...(item.joinOnly ? { joinOnly: true } : {}),
        receivedAt: new Date().toISOString(),
      });
    } catch {
      metrics.events.inc({ provider: provider.id, result: 'temporal_unavailable' });
      logger.error('callback not handed over and the local inbox refused', { why });
      throw temporalUnavailable();
    }
    metrics.events.inc({ provider: provider.id, result: 'queued' });
    logger.warn('callback kept in the local inbox', { why });
    return 'queued';
  }

  return Object.assign(handOverAll, { keepsAnInbox });
}

/**
 * Runs `work` for every item with bounded concurrency, keeping items of one verification in
 * their original order (one after the other) so a callback's own sequence is preserved.
 */
async function inParallelPerVerification<T extends { event: VerificationEvent }, R>(
  items: T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const lanes = new Map<string, number[]>();
  items.forEach((item, index) => {
    const lane = `${item.event.provider}:${item.event.reference}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), index]);
  });
  const queue = [...lanes.values()];
  const runLane = async (): Promise<void> => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const index of lane) results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HANDOVER_CONCURRENCY, queue.length) }, runLane));
  return results;
}

/** A short, non-personal name of what went wrong, for logs. */
export function errorKind(err: unknown): string {
  if (isGrpcServiceError(err)) return `grpc:${err.code}`;
  if (err instanceof ServiceError) return 'ServiceError';
  return err instanceof Error ? err.name : typeof err;
}
