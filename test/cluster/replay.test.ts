import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { recordHistories } from '../../tools/record-histories';
import { PROVIDERS } from '../../src/providers/registry';
import { replayFailures, replayHistories } from '../support/replay';
import { startTemporal } from '../support/stack';
import { REPLAY_PATHS } from '../../tools/histories';

/**
 * Histories the pinned Temporal server writes on PostgreSQL, recorded now (every provider down
 * every path, as `npm run record-histories` does) and replayed against the current workflow code,
 * beside the recorded ones in test/replay/histories/ (dev server) and histories/cluster/.
 */
describe('replay of histories recorded on the cluster', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startTemporal();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('replays what the cluster recorded for every provider and path, without nondeterminism', async () => {
    const recordings = await recordHistories(env);
    expect(recordings).toHaveLength(PROVIDERS.length * REPLAY_PATHS.length);
    const results = await replayHistories(
      recordings.map(({ provider, path, json }) => ({ workflowId: `${provider}-${path}`, json })),
    );
    expect(results).toHaveLength(recordings.length);
    expect(replayFailures(results)).toEqual([]);
  }, 600_000);
});
