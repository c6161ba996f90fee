/**
 * Generic tests pick the provider they run with by what it offers, never by name: the first
 * registered provider whose kit has what the test needs. A registry without one fails the test,
 * saying what is missing.
 */
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import type { ProviderStory, ProviderTestKit } from '../../src/testing/kit';
import { loadKit } from '../../src/testing/kits';

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
