import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import { namespaceRetentionSeconds } from '../temporal/setup';
import type { VerificationEvent } from '../verification/model';

/** How long a failed read of the retention is not tried again (the fallback is used meanwhile). */
const RETRY_READ_AFTER_MS = 60_000;
const READ_TIMEOUT_MS = 2000;

/**
 * The namespace's retention: how long Temporal keeps a closed verification, and so how long its
 * ID refuses a second start (REJECT_DUPLICATE). Read once from `DescribeNamespace` and kept; while
 * it cannot be read, `KYC_NAMESPACE_RETENTION` stands in (and the read is tried again a minute
 * later).
 */
export class NamespaceRetention {
  private readMs?: number;
  private reading?: Promise<number>;
  private failedAt?: number;

  constructor(
    private readonly deps: {
      client: Client;
      namespace: string;
      fallbackMs: number;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  async ms(): Promise<number> {
    if (this.readMs !== undefined) return this.readMs;
    const now = (this.deps.now ?? Date.now)();
    if (this.failedAt !== undefined && now - this.failedAt < RETRY_READ_AFTER_MS) return this.deps.fallbackMs;
    // One read for every callback that asks meanwhile.
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<number> {
    const { client, namespace, fallbackMs, logger } = this.deps;
    try {
      const seconds = await client.connection.withDeadline(Date.now() + READ_TIMEOUT_MS, () =>
        namespaceRetentionSeconds(client, namespace),
      );
      // A namespace that states no retention: the configured value stands in.
      this.readMs = seconds && seconds > 0 ? seconds * 1000 : fallbackMs;
      return this.readMs;
    } catch (err) {
      this.failedAt = (this.deps.now ?? Date.now)();
      logger.warn('namespace retention unreadable; KYC_NAMESPACE_RETENTION stands in', {
        error: err instanceof Error ? err.name : typeof err,
      });
      return fallbackMs;
    }
  }
}

/**
 * A callback's event is stale when its own provider timestamp is older than the retention: the
 * verification it belongs to may have closed and been deleted since, so it must not start a fresh
 * one (which would reach the same end again and push the app a second webhook with the same ID).
 * An event without a timestamp is never stale.
 */
export function isStale(event: VerificationEvent, staleBeforeMs: number): boolean {
  if (!event.occurredAt) return false;
  const at = Date.parse(event.occurredAt);
  return Number.isFinite(at) && at < staleBeforeMs;
}
