import { recordHistories } from '../../tools/record-histories';
import { PROVIDERS } from '../../src/providers/registry';
import { replayFailures, replayHistories } from '../support/replay';
import { REPLAY_PATHS } from '../../tools/histories';
import { useTemporal } from '../support/provider-stack';

/**
 * Histories the pinned Temporal server writes on PostgreSQL, recorded now (every provider down
 * every path, as `npm run record-histories` does) and replayed against the current workflow code,
 * beside the recorded ones in each provider's test/histories/ (dev server) and its histories/cluster/.
 */
describe('replay of histories recorded on the cluster', () => {
  const temporal = useTemporal();

  it('replays what the cluster recorded for every provider and path, without nondeterminism', async () => {
    const recordings = await recordHistories(temporal.env);
    expect(recordings).toHaveLength(PROVIDERS.length * REPLAY_PATHS.length);
    const results = await replayHistories(
      recordings.map(({ provider, path, json }) => ({ workflowId: `${provider}-${path}`, json })),
    );
    expect(results).toHaveLength(recordings.length);
    expect(replayFailures(results)).toEqual([]);
  }, 600_000);
});
