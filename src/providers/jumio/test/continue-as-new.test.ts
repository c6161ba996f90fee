/**
 * History stays bounded: past KYC_MAX_HISTORY_EVENTS the workflow continues as new, carrying
 * the state, the dedup set and the registration, on the real dev server. The history is grown with
 * Jumio callbacks in statuses of the test's own making (each one a signal the workflow records), which
 * only Jumio's simulator builds: the testing kits play a provider's documented callbacks only.
 */
import { randomUUID } from 'node:crypto';
import { KycClient } from '../../../client';
import { postJson } from '../../../testing/callback-sender';
import { kycWorkflowId } from '../../../contracts';
import { useJumioStack } from './jumio-env';
import { eventually } from '../../../../test/support/stack';

const fixture = useJumioStack({ KYC_MAX_HISTORY_EVENTS: '40', JUMIO_CALLBACK_GRACE: '1h' });

it('continues as new before the history grows past the limit, losing nothing', async () => {
  const id = randomUUID();
  const accountId = randomUUID();
  fixture.sim.script(id, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const kyc = new KycClient(fixture.stack.client, fixture.stack.config);
  await kyc.startVerification({ provider: 'jumio', reference: id, context: { accountId }, customerReference: 'c-can' });
  const handle = fixture.stack.client.workflow.getHandle(kycWorkflowId('jumio', id));
  const firstRunId = (await handle.describe()).runId;

  const url = `${fixture.stack.ingressUrl}/webhooks/jumio`;
  await postJson(url, fixture.sim.callback(id, 'ACQUISITION_STARTED'));
  // Each distinct (unknown) status is a signal the workflow must record: enough to pass 40 events.
  // An unknown word asks a human (ACTION_REQUIRED, attention raised): that too must cross over.
  for (let i = 0; i < 30; i++) {
    expect((await postJson(url, fixture.sim.callback(id, `NOISE_${i}`))).status).toBe(200);
  }
  await eventually(
    async () => ((await handle.describe()).runId !== firstRunId ? true : undefined),
    30_000,
    'continue-as-new',
  );

  const carried = await eventually(async () => {
    const s = await kyc.getVerification('jumio', id);
    return s.timeline.filter((e) => e.providerStatus.startsWith('NOISE_')).length === 30 ? s : undefined;
  });
  expect(carried).toMatchObject({
    status: 'ACTION_REQUIRED',
    customerReference: 'c-can',
    registeredByApp: true,
    providerStatus: expect.stringMatching(/^NOISE_/),
    attention: expect.arrayContaining(['unknown_status']),
  });

  // The dedup set crossed over too: a redelivery from before is still a duplicate.
  await postJson(url, fixture.sim.callback(id, 'ACQUISITION_STARTED'));
  await postJson(url, fixture.sim.callback(id, 'PROCESSED'));
  // Generous: on a loaded two-core machine the new run's first tasks may queue behind other suites.
  const final = await kyc.waitForVerification('jumio', id, { timeoutMs: 90_000 });
  expect(final).toMatchObject({ status: 'COMPLETED', decision: 'APPROVED', customerReference: 'c-can' });
  const redelivered = final.timeline.filter((e) => e.providerStatus === 'ACQUISITION_STARTED');
  expect(redelivered.map((e) => e.outcome)).toEqual(['applied', 'duplicate']);
  // Every run stayed under the limit, or under twice the limit where a provider call in flight
  // (here the announced result's fetch) was given room to settle before continuing.
  const runs = [];
  for await (const e of fixture.stack.client.workflow.list({ query: `WorkflowId = '${kycWorkflowId('jumio', id)}'` }))
    runs.push(e);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  for (const run of runs) expect(run.historyLength).toBeLessThan(2 * 40);
}, 180_000);
