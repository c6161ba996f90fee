/**
 * The ingress's memory of acknowledged callbacks against a real dev server: a redelivered callback
 * is answered as the first delivery was and never reaches the workflow's history a second time;
 * the verification still ends as its story says. The provider: the first registered one with a
 * story whose callbacks decide it.
 */
import { temporal } from '@temporalio/proto';
import { kycWorkflowId } from '../../src/contracts';
import { providerVariable } from '../../src/providers/settings';
import { postJson } from '../../src/testing/callback-sender';
import { useProviderStack } from '../support/provider-stack';
import { providerWith } from '../support/providers';

const SIGNALED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;

describe('ingress dedup end to end (KYC_INGRESS_DEDUP_ENTRIES on)', () => {
  const chosen = providerWith((story) => story.callbacksDecide, 'a story whose callbacks decide it');
  const setup = useProviderStack(() => chosen.choose(), {
    variables: ([provider]) => ({
      KYC_INGRESS_DEDUP_ENTRIES: '100',
      [providerVariable(provider!, 'CALLBACK_GRACE')]: '1h',
      [providerVariable(provider!, 'EXPIRES_AFTER')]: '1h',
    }),
  });

  it('five deliveries of one callback are one signal; the verification ends as its story says', async () => {
    const { stack, kyc } = setup;
    const { provider, kit, story } = chosen.picked;
    const { sim } = setup.of(provider);
    const played = kit.stories[story]!.play(sim);
    await kyc.startVerification(played.start);
    const url = `${stack.ingressUrl}/webhooks/${provider}`;
    const [first, ...rest] = played.callbacks;
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await postJson(url, first!.delivery.body, first!.delivery.headers));
    for (const { delivery } of rest) expect((await postJson(url, delivery.body, delivery.headers)).status).toBe(200);
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.slice(1).map(({ body }) => body)).toEqual(answers.slice(0, 4).map(({ body }) => body));

    const final = await kyc.waitForVerification(provider, played.start.reference, { timeoutMs: 60_000 });
    const { truth } = kit.stories[story]!;
    expect([final.status, final.decision]).toEqual([truth.status, truth.decision]);
    // The workflow saw the first callback once: no duplicate entry, as no second signal came.
    expect(final.timeline.filter((e) => e.source === 'callback').map((e) => [e.providerStatus, e.outcome])).toEqual(
      played.callbacks.map(({ word }) => [word, 'applied']),
    );
    // The registration and each callback once: that many signals in the history.
    const history = await stack.client.workflow
      .getHandle(kycWorkflowId(provider, played.start.reference))
      .fetchHistory();
    expect(history.events?.filter((event) => event.eventType === SIGNALED)).toHaveLength(1 + played.callbacks.length);
  }, 90_000);
});
