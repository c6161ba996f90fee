/**
 * Whether a verification asked its provider, read from its workflow history instead of from one
 * provider's simulator: the retrieval activities (a poll, the deadline's confirmation, an announced
 * result's fetch) it scheduled, and those the provider answered.
 */
import type { Client } from '@temporalio/client';
import type { ProviderActivities } from '../../src/contracts';

const QUESTIONS: readonly string[] = [
  'pollProvider',
  'confirmDeadline',
  'fetchAnnouncedResult',
] satisfies (keyof ProviderActivities)[];

/** The provider questions of a run (the latest when `runId` is not given), by activity name. */
export async function providerQuestions(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<{ asked: string[]; answered: string[] }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const scheduled = new Map<string, string>();
  const asked: string[] = [];
  const answered: string[] = [];
  for (const event of history.events ?? []) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name && QUESTIONS.includes(name)) {
      scheduled.set(String(event.eventId), name);
      asked.push(name);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const answer = completed && scheduled.get(String(completed.scheduledEventId));
    if (answer) answered.push(answer);
  }
  return { asked, answered };
}
