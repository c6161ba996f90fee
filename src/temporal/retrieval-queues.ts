/**
 * Per-provider retrieval task queues: every call to a provider's API runs on its own queue, whose
 * workers set `maxTaskQueueActivitiesPerSecond`, so the server itself caps the poll rate per
 * provider across all workers (an outage's end cannot wake every verification's poll at once).
 * Pure, so the workflow code can import it too.
 */
import type { ProviderId } from '../verification/model';

export function retrievalTaskQueue(taskQueue: string, provider: ProviderId): string {
  return `${taskQueue}-retrieval-${provider}`;
}
