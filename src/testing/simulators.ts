/**
 * Simulators of registered providers on loopback at once (every one by default): the demo, the
 * bench, the adversarial schedules and the chaos runs start theirs here, from the registry.
 */
import { PROVIDERS, type ProviderId } from '../providers/registry';
import type { ProviderTestKit } from './kit';
import { loadKit } from './kits';
import type { RunningSimulator } from './simulator-http';

export interface RunningProvider {
  provider: ProviderId;
  kit: ProviderTestKit;
  sim: RunningSimulator;
}

export interface RunningSimulators {
  /** In the order asked for (the registry's, by default). */
  providers: RunningProvider[];
  /** One provider's kit and simulator. */
  of(provider: string): RunningProvider;
  /** Every simulator's variables, merged, and KYC_PROVIDERS naming them. */
  environment: Record<string, string>;
  close(): Promise<void>;
}

export async function startSimulators(providers: readonly ProviderId[] = PROVIDERS): Promise<RunningSimulators> {
  const kits = await Promise.all(providers.map(loadKit));
  const running: RunningProvider[] = [];
  try {
    for (const [index, kit] of kits.entries())
      running.push({ provider: providers[index]!, kit, sim: await kit.start() });
  } catch (err) {
    await Promise.all(running.map(({ sim }) => sim.close()));
    throw err;
  }
  const byId = new Map<string, RunningProvider>(running.map((each) => [each.provider, each]));
  return {
    providers: running,
    of: (provider) => {
      const found = byId.get(provider);
      if (!found) throw new Error(`no simulator of ${provider} was started`);
      return found;
    },
    environment: Object.assign(
      { KYC_PROVIDERS: providers.join(',') },
      ...running.map(({ kit, sim }) => kit.environment(sim)),
    ) as Record<string, string>,
    close: async () => {
      await Promise.all(running.map(({ sim }) => sim.close()));
    },
  };
}
