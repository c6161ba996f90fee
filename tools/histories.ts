/**
 * The recorded histories the replay test runs (`npm run record-histories` writes them): the paths
 * each provider is taken down, and the JSON form the files hold.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { PROVIDERS } from '../src/providers/registry';
import { projectRoot } from '../src/temporal/binaries';
import { hasProviderIdForm, type CanonicalMeaning } from '../src/verification/model';

/** Where a history was recorded: the dev server of `npm test`, or the production shape (scripts/cluster.sh). */
export type HistoryPlace = 'dev-server' | 'cluster';

/**
 * Where a provider's recorded histories live: in its own folder, src/providers/<id>/test/histories/
 * (`cluster/` below it for those from the production shape), named `<id>-<path>.json`, and
 * `<id>-<path>.before-<change>.json` for those kept from before a change. A provider's recordings
 * are its folder's, like the rest of its tests.
 */
export function historiesDir(provider: string, place: HistoryPlace = 'dev-server'): string {
  const dir = join(projectRoot, 'src', 'providers', provider, 'test', 'histories');
  return place === 'cluster' ? join(dir, 'cluster') : dir;
}

/** Every registered provider's recorded history files from `place`, by name, oldest kept ones included. */
export function recordedHistories(place: HistoryPlace = 'dev-server'): { name: string; path: string }[] {
  return PROVIDERS.flatMap((provider) => {
    const dir = historiesDir(provider, place);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ name, path: join(dir, name) }));
  });
}

/** The path of a recorded history file by its name (`<id>-<path>….json`: the provider is its first word). */
export function recordedHistoryPath(name: string, place: HistoryPlace = 'dev-server'): string {
  return join(historiesDir(name.split('-')[0]!, place), name);
}

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
 * The paths whose histories from the production shape (each provider's `histories/cluster/`,
 * recorded with scripts/cluster.sh) are checked in; a path added since is recorded there at the next
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
