/**
 * Every checked-in history (npm run record-histories: each provider down each path) replays
 * against the current workflow code. A change that would break the verifications a deployment
 * has open fails here; docs/operations.md, "Changing the workflow", says how to make such a change safely.
 */
import { readFileSync } from 'node:fs';
import { DeterminismViolationError } from '@temporalio/workflow';
import { CLUSTER_REPLAY_PATHS, recordedHistories, recordedHistoryPath, REPLAY_PATHS } from '../../tools/histories';
import { PROVIDERS } from '../../src/providers/registry';
import { replayFailures, replayHistories as replay } from '../support/replay';

/** Each provider's, in its folder (src/providers/<id>/test/histories/). */
const files = recordedHistories('dev-server');
/** Recorded on the production shape (the pinned Temporal server on PostgreSQL, scripts/cluster.sh). */
const clusterFiles = recordedHistories('cluster');
const named = (paths: readonly string[]) =>
  PROVIDERS.flatMap((provider) => paths.map((path) => `${provider}-${path}.json`));
const expected = named(REPLAY_PATHS);
const names = (list: { name: string }[]) => list.map(({ name }) => name);

describe('replay of recorded histories', () => {
  it('has a current history for every provider and every path, from the dev server and from the cluster', () => {
    // Histories kept from before a change (docs/operations.md, "Changing the workflow") may sit beside them.
    // A missing one is named with the command that records it (docs/providers.md, "Add a provider").
    const missing = [
      ...expected.filter((name) => !names(files).includes(name)).map((name) => `${name}: npm run record-histories`),
      ...named(CLUSTER_REPLAY_PATHS)
        .filter((name) => !names(clusterFiles).includes(name))
        .map((name) => `cluster/${name}: npm run record-histories on scripts/cluster.sh`),
    ];
    expect(missing).toEqual([]);
  });

  it('replays every history against the current workflow without nondeterminism', async () => {
    const results = await replay([
      ...files.map(({ name, path }) => ({ workflowId: name, json: readFileSync(path, 'utf8') })),
      ...clusterFiles.map(({ name, path }) => ({ workflowId: `cluster/${name}`, json: readFileSync(path, 'utf8') })),
    ]);
    expect(results).toHaveLength(files.length + clusterFiles.length);
    expect(replayFailures(results)).toEqual([]);
  });

  it('fails a history the code no longer matches (the check can fail)', async () => {
    // A deployment whose code scheduled another step than the one in the history: the first
    // provider's completed history in which a step (an activity) was scheduled.
    type History = { events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] };
    const history = PROVIDERS.map(
      (provider) => JSON.parse(readFileSync(recordedHistoryPath(`${provider}-completed.json`), 'utf8')) as History,
    ).find((each) => each.events.some((e) => e.activityTaskScheduledEventAttributes))!;
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'aStepThatNoLongerExists';
    const [result] = await replay([{ workflowId: 'tampered', json: JSON.stringify(history) }]);
    expect(result!.error).toBeInstanceOf(DeterminismViolationError);
  });
});
