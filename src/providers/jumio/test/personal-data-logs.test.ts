/**
 * The compiled stack as it runs (`dist/start.js`) logs none of the personal data a Jumio callback
 * may carry in its documented `userReference`, and counts the callback on METRICS_PORT. Every
 * provider's metrics, health and logs: test/integration/observability.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import { useRunningStart } from '../../../../test/support/running-start';
import type { JumioKitSimulator } from '../testing/kit';

const running = useRunningStart(['jumio']);

it('a Jumio callback whose userReference is personal data: verdict reached, counted, not logged', async () => {
  const jumio = running.sims.of('jumio').sim as JumioKitSimulator;
  // A value unique to this run, so finding it anywhere in the output can only mean it leaked.
  const userReference = `jumio-user-${randomUUID().slice(0, 8)}`;
  const jumioId = randomUUID();
  jumio.script(jumioId, { accountId: jumio.accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
  const jumioCallback = { ...(jumio.callback(jumioId, 'PROCESSED') as object), userReference };
  expect(await postJson(`http://127.0.0.1:${running.port}/webhooks/jumio`, jumioCallback)).toEqual({
    status: 200,
    body: { accepted: 1 },
  });
  expect(await running.kyc.waitForVerification('jumio', jumioId, { timeoutMs: 60_000 })).toMatchObject({
    status: 'COMPLETED',
    decision: 'APPROVED',
  });

  const scraped = await running.metricsOnceAWorkflowCompleted();
  expect(scraped).toMatch(/^kyc_callbacks_total\{provider="jumio",code="200"\} 1$/m);

  expect(await running.stop()).toBe(0);
  expect(running.output()).not.toContain(userReference);
});
