/**
 * The ingress's memory of acknowledged callbacks against a real dev server: a redelivered callback
 * is answered 200 and never reaches the workflow's history a second time; the verification still
 * ends as it would have.
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { KycClient } from '../../src/client';
import { postJson } from '../../src/testing/callback-sender';
import { kycWorkflowId } from '../../src/contracts';
import { useJumioStack } from '../support/jumio-env';

const SIGNALED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;

describe('ingress dedup end to end (KYC_INGRESS_DEDUP_ENTRIES on)', () => {
  const fixture = useJumioStack({
    KYC_INGRESS_DEDUP_ENTRIES: '100',
    JUMIO_CALLBACK_GRACE: '1h',
    JUMIO_EXPIRES_AFTER: '1h',
  });

  it('five deliveries of one callback are one signal; the verification completes as usual', async () => {
    const { sim, stack } = fixture;
    const kyc = new KycClient(stack.client, stack.config);
    const reference = randomUUID();
    const accountId = randomUUID();
    sim.script(reference, { accountId, status: 'PROCESSED', decision: { type: 'PASSED' } });
    await kyc.startVerification({ provider: 'jumio', reference, context: { accountId } });
    const url = `${stack.ingressUrl}/webhooks/jumio`;
    const t0 = Date.now();
    const acquired = sim.callback(reference, 'ACQUIRED', new Date(t0));
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await postJson(url, acquired));
    answers.push(await postJson(url, sim.callback(reference, 'PROCESSED', new Date(t0 + 1000))));
    expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, body: { accepted: 1 } })));

    const final = await kyc.waitForVerification('jumio', reference, { timeoutMs: 60_000 });
    expect([final.status, final.decision]).toEqual(['COMPLETED', 'APPROVED']);
    // The workflow saw ACQUIRED once: no duplicate entry, as no second signal came.
    expect(final.timeline.filter((e) => e.source === 'callback').map((e) => [e.providerStatus, e.outcome])).toEqual([
      ['ACQUIRED', 'applied'],
      ['PROCESSED', 'applied'],
    ]);
    // The registration and two callbacks: three signals in the history.
    const history = await stack.client.workflow.getHandle(kycWorkflowId('jumio', reference)).fetchHistory();
    expect(history.events?.filter((event) => event.eventType === SIGNALED)).toHaveLength(3);
  }, 90_000);
});
