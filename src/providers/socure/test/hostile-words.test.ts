/**
 * Words that name Object.prototype members in Socure's legacy DocV envelope, end to end (the real
 * ingress, worker and dev server, the Socure simulator, and `kyc` itself): as event types they are
 * unknown words like any other; as a verdict's decision they are no verdict, so the API is asked and
 * its verdict ends the verification (the lookups alone: prototype-words.test.ts). Every provider's
 * callback words in its default shape: test/integration/hostile-input.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { postJson } from '../../../testing/callback-sender';
import { ended, kycAt, sendWords, taskFailures } from '../../../../test/support/hostile-status';
import { useProviderStack } from '../../../../test/support/provider-stack';
import { socureCallbacks, type SocureSimulator } from '../testing/simulator';

const setup = useProviderStack('socure', {
  // Only callbacks (and what they announce) move these verifications: no poll ends one early.
  variables: { SOCURE_CALLBACK_GRACE: '1h' },
});
const socure = () => setup.of<SocureSimulator>('socure').sim;
const kyc = kycAt(() => setup.env.address);

it('socure: as event types, then the real verdict ends it', async () => {
  const token = randomUUID();
  socure().script(token, { decision: 'reject' });
  const webhook = `${setup.stack.ingressUrl}/webhooks/socure`;
  const headers = socure().callbackHeaders();
  const post = async (eventType: string, decision?: string) =>
    (await postJson(webhook, socureCallbacks.legacy(token, eventType, decision ? { decision } : {}), headers)).status;
  await sendWords(kyc, 'socure', token, (word) => post(word));
  expect(await post('VERIFICATION_COMPLETED', 'reject')).toBe(200);
  expect(await ended(kyc, 'socure', token)).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
  expect(await taskFailures(setup.stack.client, 'socure', token)).toEqual([]);
});

it('socure: a verdict whose decision is such a word is no verdict: the API is asked, and its verdict ends it', async () => {
  for (const word of ['constructor', 'toString', '__proto__']) {
    const token = randomUUID();
    socure().script(token, { decision: 'reject' });
    const body = socureCallbacks.legacy(token, 'VERIFICATION_COMPLETED', { decision: word });
    const answer = await postJson(`${setup.stack.ingressUrl}/webhooks/socure`, body, socure().callbackHeaders());
    expect(answer.status).toBe(200);
    const state = await ended(kyc, 'socure', token);
    expect(state).toMatchObject({ status: 'COMPLETED', decision: 'REJECTED' });
    expect(state.timeline.map((entry) => `${entry.source} ${entry.outcome} ${entry.status}`)).toEqual([
      'callback applied SUBMITTED',
      'poll applied COMPLETED',
    ]);
    expect(await taskFailures(setup.stack.client, 'socure', token)).toEqual([]);
  }
});
