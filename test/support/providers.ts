/**
 * Generic tests pick the provider they run with by what it offers, never by name: the first
 * registered provider whose kit has what the test needs. A registry without one fails the test,
 * saying what is missing.
 */
import { PROVIDERS, providerModule, type ProviderId } from '../../src/providers/registry';
import type { ProviderStory, ProviderTestKit } from '../../src/testing/kit';
import { loadKit } from '../../src/testing/kits';
import type { Status } from '../../src/verification/model';

export interface Picked {
  provider: ProviderId;
  kit: ProviderTestKit;
  /** The name of the first of its stories that has what was asked for. */
  story: string;
}

/** The first registered provider with a story that `need` accepts; `why` names it in the failure. */
export async function pickProvider(need: (story: ProviderStory<never>) => boolean, why: string): Promise<Picked> {
  for (const provider of PROVIDERS) {
    const kit = await loadKit(provider);
    const found = Object.entries(kit.stories).find(([, story]) => need(story as ProviderStory<never>));
    if (found) return { provider, kit, story: found[0] };
  }
  throw new Error(`no registered provider offers ${why}`);
}

/**
 * A provider chosen once the test file runs (for `useProviderStack`'s first argument): `choose`
 * picks it, `picked` is the choice afterwards.
 */
export function providerWith(
  need: (story: ProviderStory<never>) => boolean,
  why: string,
): { choose(): Promise<ProviderId>; readonly picked: Picked } {
  let picked: Picked | undefined;
  return {
    choose: async () => {
      picked = await pickProvider(need, why);
      return picked.provider;
    },
    get picked() {
      if (!picked) throw new Error('no provider picked yet: read it in a test, after beforeAll');
      return picked;
    },
  };
}

/**
 * The first registered provider whose kit as a whole `need` accepts, for a test that needs several
 * stories of one provider at once, or something of its module (required context, say) besides.
 */
export async function pickKit(
  need: (kit: ProviderTestKit, provider: ProviderId) => boolean,
  why: string,
): Promise<{ provider: ProviderId; kit: ProviderTestKit }> {
  for (const provider of PROVIDERS) {
    const kit = await loadKit(provider);
    if (need(kit, provider)) return { provider, kit };
  }
  throw new Error(`no registered provider offers ${why}`);
}

/** `pickKit` chosen once the test file runs (for `useProviderStack`'s first argument), as `providerWith`. */
export function kitWith(
  need: (kit: ProviderTestKit, provider: ProviderId) => boolean,
  why: string,
): { choose(): Promise<ProviderId>; readonly picked: { provider: ProviderId; kit: ProviderTestKit } } {
  let picked: { provider: ProviderId; kit: ProviderTestKit } | undefined;
  return {
    choose: async () => {
      picked = await pickKit(need, why);
      return picked.provider;
    },
    get picked() {
      if (!picked) throw new Error('no provider picked yet: read it in a test, after beforeAll');
      return picked;
    },
  };
}

/** The name of the first of a kit's stories that `need` accepts, or undefined. */
export function storyOf(kit: ProviderTestKit, need: (story: ProviderStory<never>) => boolean): string | undefined {
  return Object.entries(kit.stories).find(([, story]) => need(story as ProviderStory<never>))?.[0];
}

/**
 * The status a provider's documented mapping gives one of its words (`vocabulary`, as
 * docs/providers.md shows it), for a test that sends a callback that does not end the verification
 * and checks where it moved it. Throws when the mapping gives the word no status.
 */
export function documentedStatus(provider: ProviderId, word: string): Status {
  const line = providerModule(provider).vocabulary.find((each) => each.words.includes(word) && each.meaning.status);
  if (!line) throw new Error(`${provider}'s documented mapping gives '${word}' no status`);
  return line.meaning.status!;
}
