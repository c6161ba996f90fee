import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bundleWorkflows from '../global-setup';
import { Cluster, freeClusterPorts } from '../support/cluster';

/**
 * The cluster suite's Temporal: one production-shaped cluster for the whole run, brought up by
 * the same script a developer uses (scripts/cluster.sh up: PostgreSQL in a data directory of its
 * own, the pinned server, schema, namespace, `kyc setup`), on ports no other cluster holds.
 * Tests find it through KYC_TEST_TEMPORAL_ADDRESS (test/support/stack.ts `startTemporal`) and
 * inject faults through test/support/cluster.ts; global-teardown.ts removes it.
 */
export default async function clusterSetup(): Promise<void> {
  await bundleWorkflows();
  const dir = mkdtempSync(join(tmpdir(), 'kyc-cluster-'));
  // PostgreSQL runs as its own user when the suite runs as root: it must reach its data directory.
  chmodSync(dir, 0o755);
  const { port, pgPort } = await freeClusterPorts();
  const cluster = new Cluster({ dir, port, pgPort });
  const started = Date.now();
  process.stdout.write(`\ncluster: scripts/cluster.sh up in ${dir} (frontend ${port}, PostgreSQL ${pgPort})\n`);
  try {
    await cluster.run('up');
  } catch (err) {
    await cluster.run('destroy').catch(() => undefined);
    throw err;
  }
  process.stdout.write(`cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  Object.assign(process.env, {
    KYC_CLUSTER_DIR: dir,
    KYC_CLUSTER_PORT: String(port),
    KYC_CLUSTER_PG_PORT: String(pgPort),
    KYC_TEST_TEMPORAL_ADDRESS: cluster.address,
  });
}
