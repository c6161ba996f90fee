/**
 * A provider's verdict that arrives after our own timer closed the verification, while the app
 * is still being told of that end: it is recorded, raised (`late_verdict`), and told to the app
 * under its own webhook ID. (After the workflow has closed, the ingress applies the same rule:
 * test/integration/late-verdicts.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { kycWorkflowId } from '../../src/contracts';
import { answer, callback, POLICY, useWorkflowBench } from './harness';

const bench = useWorkflowBench();
const STARTED = { status: 'IN_PROGRESS' } as const;
const PASSED = { status: 'COMPLETED', decision: 'APPROVED' } as const;

it('a verdict that arrives while the app is told of our EXPIRED is recorded, raised and told', async () => {
  const ref = randomUUID();
  bench.provider.script(ref, answer('STARTED', STARTED));
  let receiverUp!: () => void;
  bench.provider.notificationGate = new Promise<void>((resolve) => (receiverUp = resolve));
  const policy = { ...POLICY, notify: true };
  const final = await bench.withWorker(async () => {
    await bench.start(ref, callback(ref, 'STARTED', STARTED, 1), { policy });
    // The deadline passes, the provider still says "in progress": EXPIRED, and the push hangs.
    await bench.env.sleep(policy.expiresAfterMs + 1000);
    const handle = bench.env.client.workflow.getHandle(kycWorkflowId('jumio', ref));
    await waitFor(async () => (await handle.query<{ status: string }>('state')).status === 'EXPIRED');
    await bench.callback(ref, callback(ref, 'DONE', PASSED, 9));
    receiverUp();
    return bench.result(ref);
  }, policy);
  expect(final).toMatchObject({ status: 'EXPIRED' });
  expect(final.attention).toContain('late_verdict');
  expect(final.timeline.find((e) => e.providerStatus === 'DONE')).toMatchObject({ outcome: 'stale' });
  const pushed = bench.provider.notifications.filter((n) => n.state.reference === ref);
  const id = kycWorkflowId('jumio', ref);
  // A receiver that held an attempt past its timeout sees a retry too: the IDs are what the app de-duplicates on.
  expect([...new Set(pushed.map((n) => n.webhookId))]).toEqual([
    `${id}:finished`,
    expect.stringMatching(`^${id}:late_verdict:.+`),
  ]);
  expect(pushed.find((n) => n.webhookId.includes(':late_verdict:'))?.state.attention).toContain('late_verdict');
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
