/** Waiting for the backlog a load run leaves behind, so that what runs next starts on a quiet server. */
import type { BenchContext } from './context';
import { meanBetween, scrape } from './metrics';
import { sleep } from './processes';

/** Waits (up to 5 minutes) until the worker has no workflow task waiting: a schedule-to-start under 1 s. */
export async function drained(context: BenchContext): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const before = await scrape(context.kycWorker.metricsUrl);
    await sleep(2000);
    const wait = meanBetween(
      before,
      await scrape(context.kycWorker.metricsUrl),
      'temporal_workflow_task_schedule_to_start_latency',
    );
    if (wait === undefined || wait < 1000) return;
  }
}
