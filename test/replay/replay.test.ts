/**
 * Every checked-in history (npm run record-histories: each provider down each path) replays
 * against the current workflow code. A change that would break the verifications a deployment
 * has open fails here; README "Changing the workflow" says how to make such a change safely.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';
import { historyFromJson, REPLAY_PATHS } from '../../src/replay/record-histories';
import { PROVIDERS } from '../../src/verification/model';
import { quietRuntime, testWorkflowSource } from '../support/stack';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((name) => name.endsWith('.json'));

async function replay(histories: { workflowId: string; json: string }[]): Promise<ReplayResult[]> {
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

describe('replay of recorded histories', () => {
  it('has a current history for every provider and every path', () => {
    const expected = PROVIDERS.flatMap((provider) => REPLAY_PATHS.map((path) => `${provider}-${path}.json`));
    // Histories kept from before a change (README "Changing the workflow") may sit beside them.
    expect(files).toEqual(expect.arrayContaining(expected));
  });

  it('replays every history against the current workflow without nondeterminism', async () => {
    const results = await replay(
      files.map((name) => ({ workflowId: name, json: readFileSync(join(dir, name), 'utf8') })),
    );
    expect(results).toHaveLength(files.length);
    const failures = results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error!.message}`);
    expect(failures).toEqual([]);
  });

  it('fails a history the code no longer matches (the check can fail)', async () => {
    // A deployment whose code scheduled another step than the one in the history.
    const history = JSON.parse(readFileSync(join(dir, 'jumio-completed.json'), 'utf8')) as {
      events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[];
    };
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'aStepThatNoLongerExists';
    const [result] = await replay([{ workflowId: 'tampered', json: JSON.stringify(history) }]);
    expect(result!.error).toBeInstanceOf(DeterminismViolationError);
  });
});
