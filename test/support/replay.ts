/** Replays recorded histories against the current workflow code (test/replay/, test/cluster/). */
import { Worker, type ReplayResult } from '@temporalio/worker';
import { historyFromJson } from '../../tools/histories';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';
import { quietRuntime, testWorkflowSource } from './stack';

export async function replayHistories(histories: { workflowId: string; json: string }[]): Promise<ReplayResult[]> {
  quietRuntime();
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(
    {
      ...testWorkflowSource(),
      dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH },
      replayName: 'kyc-replay',
    },
    histories.map(({ workflowId, json }) => ({ workflowId, history: historyFromJson(json) })),
  )) {
    results.push(result);
  }
  return results;
}

/** "name: message" of every history that did not replay. */
export function replayFailures(results: ReplayResult[]): string[] {
  return results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error!.message}`);
}
