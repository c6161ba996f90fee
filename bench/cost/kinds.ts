/**
 * What the cost run measures, one window of verifications at a time: every provider of the
 * registry down its normal path and down the bench's worst path (through the bench's ingress, and
 * through one with its memory of acknowledged callbacks off), and for each the minimal workflow
 * doing the same signals and activities with no logic (its twin: Temporal's own cost).
 */
import { PROVIDERS, type ProviderId } from '../../src/providers/registry';
import { WORST } from '../figures/cost';
import { minimalFlow, shapeName, type FlowOptions, type ProviderFlow } from '../figures/end-to-end';
import type { BenchContext } from '../lib/context';

export type PathName = 'normal' | 'worst' | 'worst-no-dedup';

export interface Kind {
  key: string;
  role: 'verification' | 'twin';
  provider?: ProviderId;
  path: PathName;
  /** The processes doing its work, by the names the probes give them. */
  worker: 'worker' | 'minimalWorker';
  /** The twin signals from the bench's client: no ingress. */
  ingress?: 'ingress' | 'ingressNoDedup';
  /** Runs one to its end; returns its workflow ID. */
  run(context: BenchContext): Promise<string>;
  /** Windows of these are mostly waiting (the outage's backoff): run all at once. */
  slow: boolean;
}

/** Which kinds a provider's figures are read from, and which twin each is compared with. */
export interface ProviderKinds {
  normal: string;
  worst: string;
  worstNoDedup: string;
  twin: string;
  twinWorst: string;
}

export const WORST_PATH_DESCRIPTION =
  `the first callback delivered ${WORST.duplicates} more times (exact redeliveries), and ` +
  `${WORST.outage} failed retrievals before the provider answers (where the path retrieves)`;

export function costKinds(
  flows: Map<string, ProviderFlow>,
  noDedupIngressUrl: () => string,
): {
  kinds: Kind[];
  providers: Record<string, ProviderKinds>;
} {
  const kinds = new Map<string, Kind>();
  const providers: Record<string, ProviderKinds> = {};
  for (const id of PROVIDERS) {
    const flow = flows.get(id);
    if (!flow) throw new Error(`no bench flow for provider ${id}: its testing kit has no story`);
    const twin = shapeName(flow);
    const twinWorst = `${twin} + ${WORST.duplicates} signals`;
    providers[id] = {
      normal: `${id}/normal`,
      worst: `${id}/worst`,
      worstNoDedup: `${id}/worst-no-dedup`,
      twin,
      twinWorst,
    };
    const verification = (path: PathName, options: () => FlowOptions, ingress: Kind['ingress']): Kind => ({
      key: `${id}/${path}`,
      role: 'verification',
      provider: id,
      path,
      worker: 'worker',
      ingress,
      slow: path !== 'normal',
      run: (context) => flow.run(context, options()),
    });
    kinds.set(
      `${id}/normal`,
      verification('normal', () => ({}), 'ingress'),
    );
    kinds.set(
      `${id}/worst`,
      verification('worst', () => WORST, 'ingress'),
    );
    kinds.set(
      `${id}/worst-no-dedup`,
      verification('worst-no-dedup', () => ({ ...WORST, ingressUrl: noDedupIngressUrl() }), 'ingressNoDedup'),
    );
    const twinFlow = minimalFlow(flow);
    if (!kinds.has(twin))
      kinds.set(twin, {
        key: twin,
        role: 'twin',
        path: 'normal',
        worker: 'minimalWorker',
        slow: false,
        run: (c) => twinFlow(c),
      });
    if (!kinds.has(twinWorst))
      kinds.set(twinWorst, {
        key: twinWorst,
        role: 'twin',
        path: 'worst',
        worker: 'minimalWorker',
        slow: false,
        run: (c) => twinFlow(c, WORST),
      });
  }
  return { kinds: [...kinds.values()], providers };
}
