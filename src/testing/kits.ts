/**
 * Every registered provider's testing kit, found by its ID (src/providers/<id>/testing/kit.ts):
 * the registry line is all a provider needs for the simulators, the demo, the bench and the
 * tests that run every provider to find it.
 */
import { hasProviderIdForm } from '../verification/model';
import type { ProviderTestKit } from './kit';

export async function loadKit(provider: string): Promise<ProviderTestKit> {
  if (!hasProviderIdForm(provider)) throw new Error(`'${provider}' is not a provider ID`);
  let loaded: { kit?: ProviderTestKit };
  try {
    loaded = (await import(`../providers/${provider}/testing/kit`)) as { kit?: ProviderTestKit };
  } catch (err) {
    throw new Error(`provider ${provider} has no testing kit (src/providers/${provider}/testing/kit.ts)`, {
      cause: err,
    });
  }
  if (loaded.kit?.provider !== provider) {
    throw new Error(
      `provider ${provider}: src/providers/${provider}/testing/kit.ts must export \`kit\` for ${provider}`,
    );
  }
  return loaded.kit;
}
