/**
 * The recorded histories the replay test runs (`npm run record-histories` writes them): the paths
 * each provider is taken down, and the JSON form the files hold.
 */
import { temporal } from '@temporalio/proto';

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
