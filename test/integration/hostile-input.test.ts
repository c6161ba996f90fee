/**
 * Hostile words end to end, through every registered provider: the real ingress, worker and dev
 * server, the providers' simulators on loopback, and `kyc` itself. Status and event words that name
 * Object.prototype members are unknown words like any other and the real verdict still ends the
 * verification; control and bidi characters in a word are stored as sent and printed escaped. Each
 * provider's kit places the word where that provider carries it (`callbackWithWord`); what one
 * provider's API or decisions say is tested in its folder (src/providers/<id>/test/hostile-*.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { postJson } from '../../src/testing/callback-sender';
import type { ProviderStory } from '../../src/testing/kit';
import { isTerminal } from '../../src/verification/model';
import { CONTROL_CHARACTERS } from '../support/hostile-bodies';
import { ended, kycAt, sendWords, status, taskFailures } from '../support/hostile-status';
import { useProviderStack } from '../support/provider-stack';
import { eventually } from '../support/stack';

const setup = useProviderStack(PROVIDERS, {
  // Only callbacks (and what they announce) move these verifications: no poll ends one early.
  variables: (providers) =>
    Object.fromEntries(providers.map((provider) => [providerVariable(provider, 'CALLBACK_GRACE'), '1h'])),
});
const kyc = kycAt(() => setup.env.address);

/** The provider's first story whose callbacks, all delivered, end it with a verdict of their own. */
function decidingStory(provider: ProviderId): ProviderStory<never> {
  const found = Object.values(setup.of(provider).kit.stories).find(
    (story) => story.callbacksDecide && isTerminal(story.truth.status),
  );
  if (!found) throw new Error(`${provider} has no story its callbacks decide`);
  return found as ProviderStory<never>;
}

/** Posts a callback carrying `word` for the verification of `key`; the HTTP status. */
async function postWord(provider: ProviderId, key: string, word: string, at?: Date): Promise<number> {
  const { kit, sim } = setup.of(provider);
  const { delivery } = kit.callbackWithWord(sim, key, word, at);
  return (await postJson(`${setup.stack.ingressUrl}/webhooks/${provider}`, delivery.body, delivery.headers)).status;
}

describe('words named after Object.prototype members', () => {
  it.each(PROVIDERS)('%s: as the callback word, then the real verdict ends it', async (provider) => {
    const { kit, sim } = setup.of(provider);
    const key = randomUUID();
    // The truth scripted first; the story's callbacks go last, and are newer than every word.
    const played = decidingStory(provider).play(sim as never, { key });
    const reference = played.start.reference;
    const wordsFrom = Date.now() - 120_000;
    let sent = 0;
    await sendWords(
      kyc,
      provider,
      reference,
      (word) => postWord(provider, key, word, new Date(wordsFrom + sent++ * 1000)),
      (word) => kit.callbackWithWord(sim, key, word).word,
    );

    for (const { delivery } of played.callbacks) {
      const answer = await postJson(`${setup.stack.ingressUrl}/webhooks/${provider}`, delivery.body, delivery.headers);
      expect(answer.status).toBe(200);
    }
    const { truth, announced } = decidingStory(provider);
    const state = await ended(kyc, provider, reference);
    expect({ status: state.status, decision: state.decision }).toEqual({
      status: truth.status,
      decision: truth.decision,
    });
    // A verdict the callback itself carries is the one that ended it (an announced one: the API's answer).
    if (!announced) expect(state.providerStatus).toBe(played.callbacks.at(-1)!.word);
    expect(await taskFailures(setup.stack.client, provider, reference)).toEqual([]);
  });
});

describe('control and bidi characters from a provider', () => {
  const every = Object.values(CONTROL_CHARACTERS).join('');
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  const escaped = '\\u0000\\u001b\\u009b\\u0085\\r\\n\\u007f\\u202a\\u202e\\u2066\\u2069\\u2028';

  it.each(PROVIDERS)('%s: a callback word is kept as sent, and kyc status prints it escaped', async (provider) => {
    const { kit, sim } = setup.of(provider);
    const key = randomUUID();
    const reference = decidingStory(provider).play(sim as never, { key }).start.reference;
    const word = `ACQ${every}UIRED`;
    const recorded = kit.callbackWithWord(sim, key, word).word;
    expect(await postWord(provider, key, word)).toBe(200);

    // Stored as sent: --json carries the raw text, JSON-escaped.
    const state = await eventually(async () => {
      const current = await status(kyc, provider, reference);
      return current.timeline.some((entry) => entry.providerStatus === recorded) ? current : undefined;
    });
    expect(state.status).toBe('ACTION_REQUIRED');

    // Printed escaped: no line holds a raw control character, and the word is on a line of its own.
    const human = await kyc('status', provider, reference);
    expect(human.code).toBe(0);
    const lines = human.stdout.replace(/\n$/, '').split('\n');
    for (const line of lines) expect(line).not.toMatch(RAW);
    expect(lines.filter((line) => line.includes(`ACQ${escaped}UIRED`)).length).toBeGreaterThanOrEqual(1);
    expect(await taskFailures(setup.stack.client, provider, reference)).toEqual([]);
  });
});
