/**
 * Jumio's callback addresses send every Jumio customer's callbacks: the account decides. On the real
 * dev server with the ingress as the mains compose it (local inbox, dead letters), a callback of an
 * account not in JUMIO_ACCOUNT_IDS is refused, kept as a dead letter the operator lists, and starts
 * nothing (in process: foreign-account.test.ts; what every provider shares:
 * test/integration/credential-holder.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import type { JumioKitSimulator } from '../testing/kit';
import { useDurableStack } from '../../../../test/support/provider-stack';
import { deadLettersFor, workflowExists } from '../../../../test/support/stack-probes';
import { eventually } from '../../../../test/support/stack';

const setup = useDurableStack('jumio', { variables: { JUMIO_CALLBACK_GRACE: '1h' } });

it("refuses another Jumio customer's callback (403): a dead letter, no verification", async () => {
  const { stack } = setup;
  const { sim } = setup.of<JumioKitSimulator>('jumio');
  const reference = randomUUID();
  sim.script(reference, { accountId: 'acc-someone-else', status: 'PROCESSED' });
  const response = await postJson(`${stack.ingressUrl}/webhooks/jumio`, sim.callback(reference, 'PROCESSED'));
  expect(response).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  const letters = await eventually(async () => {
    const found = await deadLettersFor(stack, 'foreign_account');
    return found.length ? found : undefined;
  });
  expect(letters).toEqual([expect.objectContaining({ events: 1 })]);
  expect(await workflowExists(stack, 'jumio', reference)).toBe(false);
  // Nothing was asked of Jumio with our credentials about it.
  expect(sim.requests.some((request) => request.includes(reference))).toBe(false);
});
