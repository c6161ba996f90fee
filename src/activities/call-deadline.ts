/**
 * One deadline for an activity's provider call: the time left of the attempt's startToClose,
 * joined with the activity's cancellation. Temporal does not stop an attempt the server has
 * timed out, and delivers a cancellation only to an activity that heartbeats: without both, an
 * abandoned attempt would keep calling the provider next to its own retry, outside the
 * retrieval queue's rate limit.
 */
import { Context } from '@temporalio/activity';
import { withCallSignal } from '../providers/call-signal';

/** Ends our call a little before the server's timeout, which started when the task was handed to this worker. */
const MARGIN_MS = 500;
/** Heartbeats are throttled by the SDK (to 80 % of the heartbeat timeout); sending often costs nothing. */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Runs `call` with every provider request in it (`requestJson`) aborted when the attempt's
 * startToClose runs out or the activity is cancelled, heartbeating meanwhile so that a
 * cancellation (or the server's verdict that the attempt timed out) reaches this worker.
 */
export async function withinActivityDeadline<T>(call: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const { startToCloseTimeoutMs, heartbeatTimeoutMs } = context.info;
  const signals = [context.cancellationSignal];
  if (startToCloseTimeoutMs > 0) {
    signals.push(
      AbortSignal.timeout(Math.max(startToCloseTimeoutMs - Math.min(MARGIN_MS, startToCloseTimeoutMs / 10), 1)),
    );
  }
  // No heartbeat at once: most calls answer within a second and need none (each is an RPC to Temporal).
  const beat = setInterval(
    () => context.heartbeat(),
    heartbeatTimeoutMs ? Math.min(HEARTBEAT_EVERY_MS, heartbeatTimeoutMs / 4) : HEARTBEAT_EVERY_MS,
  );
  try {
    return await withCallSignal(AbortSignal.any(signals), call);
  } finally {
    clearInterval(beat);
  }
}
