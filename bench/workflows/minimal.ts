/**
 * The baseline workflow: Temporal's own cost for the same number of signals, activities and
 * timers as a verification, with no logic at all. Figures 4, 5 and 6 divide by it.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './minimal-activities';

export const MINIMAL_WORKFLOW_TYPE = 'minimalWorkflow';
export const minimalSignal = defineSignal<[unknown]>('event');

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s' });

export interface MinimalInput {
  /** Signals to wait for before running the activities and closing. */
  signals: number;
  activities: number;
  /** Longest wait for the signals (a timer, as a verification's deadline): the workflow then ends anyway. */
  waitMs: number;
}

export async function minimalWorkflow(input: MinimalInput): Promise<number> {
  let received = 0;
  setHandler(minimalSignal, () => {
    received += 1;
  });
  await condition(() => received >= input.signals, input.waitMs);
  for (let i = 0; i < input.activities; i += 1) await noop();
  return received;
}
