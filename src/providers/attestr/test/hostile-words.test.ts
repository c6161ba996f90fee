/**
 * Flowx event names that name Object.prototype members, end to end (the real ingress, worker and
 * dev server, the Attestr simulator, and `kyc` itself): unknown words like any other, and a skipped
 * flow's event still ends the handshake. Every provider's callback words: test/integration/hostile-input.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import { ended, kycAt, sendWords, taskFailures } from '../../../../test/support/hostile-status';
import { useProviderStack } from '../../../../test/support/provider-stack';
import type { AttestrSimulator } from '../testing/simulator';

const setup = useProviderStack('attestr', {
  // Only callbacks move these verifications: no poll ends one early.
  variables: { ATTESTR_CALLBACK_GRACE: '1h' },
});
const attestr = () => setup.of<AttestrSimulator>('attestr').sim;
const kyc = kycAt(() => setup.env.address);

it('attestr: as event names, then the real verdict ends it', async () => {
  const handshake = randomUUID();
  attestr().script(handshake, { kind: 'flowx', state: 'result' });
  const webhook = `${setup.stack.ingressUrl}/webhooks/attestr`;
  const post = async (event: string) =>
    (await postJson(webhook, attestr().flowxCallback(handshake, event), attestr().webhookHeaders())).status;
  await sendWords(kyc, 'attestr', handshake, post);
  expect(await post('flowx.skipped')).toBe(200);
  expect(await ended(kyc, 'attestr', handshake)).toMatchObject({
    status: 'ABANDONED',
    providerStatus: 'flowx.skipped',
  });
  expect(await taskFailures(setup.stack.client, 'attestr', handshake)).toEqual([]);
});
