import { clusterOfThisRun } from '../support/cluster';

/** Stops the run's cluster and deletes its data (KYC_CLUSTER_KEEP=1 leaves it running, for a look). */
export default async function clusterTeardown(): Promise<void> {
  const cluster = clusterOfThisRun();
  if (!cluster || process.env.KYC_CLUSTER_KEEP === '1') return;
  await cluster.run('destroy');
}
