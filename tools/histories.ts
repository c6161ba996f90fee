/**
 * The recorded histories the replay test runs (`npm run record-histories` writes them): the paths
 * each provider is taken down, and the JSON form the files hold.
 */
import { temporal } from '@temporalio/proto';
import { hasProviderIdForm, type CanonicalMeaning } from '../src/verification/model';

/** The paths every provider's verification is recorded down, one history file each. */
export const REPLAY_PATHS = [
  'completed',
  'expired',
  'cancelled',
  'continued-as-new',
  'mid-flight',
  'provisional',
] as const;
export type ReplayPath = (typeof REPLAY_PATHS)[number];

/**
 * The paths whose histories from the production shape (test/replay/histories/cluster, recorded
 * with scripts/cluster.sh) are checked in; a path added since is recorded there at the next
 * cluster recording.
 */
export const CLUSTER_REPLAY_PATHS: readonly ReplayPath[] = [
  'completed',
  'expired',
  'cancelled',
  'continued-as-new',
  'mid-flight',
];

/**
 * A history as JSON, in protobufjs' object form (enums by name, bytes in base64, 64-bit numbers
 * as strings); `historyFromJson` reads it back. (The SDK's own proto-JSON helpers fail on this
 * install's duplicated protobufjs, and these files only need to round-trip through our tests.)
 */
export function historyAsJson(history: temporal.api.history.v1.IHistory): string {
  const { History } = temporal.api.history.v1;
  return JSON.stringify(
    History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }),
    null,
    1,
  );
}

export function historyFromJson(json: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(json) as Record<string, unknown>);
}

/** A word a provider says, and what it means. */
export interface Word {
  providerStatus: string;
  meaning: CanonicalMeaning;
}

/** A provider's story for the recorded histories: a step along the way, the final callback, what its API answers. */
export interface ReplayStory {
  context?: Record<string, string>;
  progress: Word;
  final: Word;
  api: Word;
}

/** What the repository's tools play with one provider: src/providers/<id>/test/cases.ts exporting `cases`. */
export interface ProviderTestCases {
  provider: string;
  replay: ReplayStory;
}

/** A registered provider's cases, found by its ID (the registry line is all a provider needs). */
export async function loadCases(provider: string): Promise<ProviderTestCases> {
  if (!hasProviderIdForm(provider)) throw new Error(`'${provider}' is not a provider ID`);
  let loaded: { cases?: ProviderTestCases };
  try {
    loaded = (await import(`../src/providers/${provider}/test/cases`)) as { cases?: ProviderTestCases };
  } catch (err) {
    throw new Error(`provider ${provider} has no test cases (src/providers/${provider}/test/cases.ts)`, { cause: err });
  }
  if (loaded.cases?.provider !== provider) {
    throw new Error(
      `provider ${provider}: src/providers/${provider}/test/cases.ts must export \`cases\` for ${provider}`,
    );
  }
  return loaded.cases;
}
