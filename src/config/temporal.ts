import { accessSync, constants } from 'node:fs';
import type { ConnectionOptions, TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE } from '../contracts';
import { ConfigError, type EnvReader } from './env-reader';

/** How to reach Temporal, as Temporal's own client configuration (environment + config file profile) says. */
export interface TemporalConnectionSettings {
  /** API key, sent as `authorization: Bearer <key>`; setting one turns TLS on. */
  apiKey?: string;
  /** false/undefined: plaintext; true: TLS with the system's roots; an object: custom CA, client cert, SNI. */
  tls?: TLSConfig | boolean;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_*, or `grpc_meta` in the profile). */
  metadata?: ConnectionOptions['metadata'];
}

export interface TemporalSettings {
  /** Unset (by the environment and by the profile): `npm start` runs an embedded dev server. */
  address?: string;
  namespace: string;
  taskQueue: string;
  /** Key for the AES-GCM payload codec; unset: payloads are not encrypted. */
  payloadKey?: Buffer;
  /** Earlier payload keys: they decrypt, never encrypt (key rotation). */
  payloadOldKeys: Buffer[];
  connection: TemporalConnectionSettings;
  devServer: {
    port: number;
    uiPort: number;
    dbFile: string;
    /** SQLite pragmas (`name=value`); empty: SQLite's defaults, the most durable. */
    sqlitePragmas: string[];
  };
}

/** File-valued variables of Temporal's client configuration: checked here so a typo names the variable. */
const FILE_VARIABLES = [
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
] as const;

/**
 * Reads Temporal's settings: the connection through `@temporalio/envconfig` (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE and
 * the default config file), exactly as the `temporal` CLI resolves them, plus our own task queue,
 * payload key and embedded dev server. Mistakes the library would pass over silently (a blank
 * value, a certificate without its key, `TEMPORAL_TLS=yes`) stop start-up with the variable's name.
 */
export function readTemporalSettings(read: EnvReader): TemporalSettings {
  for (const name of FILE_VARIABLES) {
    const path = read.string(name);
    if (path === undefined) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new ConfigError(name, `cannot read the file '${path}'`);
    }
  }
  const hasCert = read.has('TEMPORAL_TLS_CLIENT_CERT_PATH') || read.has('TEMPORAL_TLS_CLIENT_CERT_DATA');
  const hasKey = read.has('TEMPORAL_TLS_CLIENT_KEY_PATH') || read.has('TEMPORAL_TLS_CLIENT_KEY_DATA');
  if (hasCert !== hasKey) {
    throw new ConfigError(
      hasCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'a client certificate and its key are set together (mTLS), or neither',
    );
  }
  if (read.boolean('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', false)) {
    // The TypeScript SDK's TLS options have no such switch; ignoring it would look like it worked.
    throw new ConfigError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      "is not supported by the TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME to the name in the server's certificate",
    );
  }

  const profile = read.string('TEMPORAL_PROFILE');
  const overrideEnvVars = envconfigVariables(read);
  let connect;
  try {
    connect = loadClientConnectConfig({ ...(profile ? { profile } : {}), overrideEnvVars });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(
      profile ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE',
      `Temporal client configuration: ${reason}`,
    );
  }
  const options = connect.connectionOptions;

  const payloadKeyText = read.string('KYC_PAYLOAD_KEY');
  const payloadKey = payloadKeyText ? parsePayloadKey('KYC_PAYLOAD_KEY', payloadKeyText) : undefined;
  const payloadOldKeys = read
    .list('KYC_PAYLOAD_KEYS_OLD', '')
    .map((text) => parsePayloadKey('KYC_PAYLOAD_KEYS_OLD', text));
  if (payloadOldKeys.length > 0 && !payloadKey) {
    throw new ConfigError('KYC_PAYLOAD_KEYS_OLD', 'needs KYC_PAYLOAD_KEY (the key that encrypts from now on)');
  }

  return {
    address: options.address || undefined,
    namespace: connect.namespace ?? read.string('TEMPORAL_NAMESPACE', 'default'),
    taskQueue: read.string('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE),
    ...(payloadKey ? { payloadKey } : {}),
    payloadOldKeys,
    connection: {
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.metadata && Object.keys(options.metadata).length ? { metadata: options.metadata } : {}),
    },
    devServer: {
      port: read.port('TEMPORAL_DEV_PORT', 7233),
      uiPort: read.port('TEMPORAL_UI_PORT', 8233),
      dbFile: read.string('TEMPORAL_DEV_DB', '.data/temporal.sqlite'),
      sqlitePragmas: readSqlitePragmas(read),
    },
  };
}

/**
 * Opt-in SQLite pragmas for the embedded dev server, e.g. `journal_mode=wal,synchronous=normal`
 * (about 3x the new verifications per second, at the cost of the last transactions on a power
 * loss; see the README's Benchmarks). Unset: SQLite's defaults.
 */
function readSqlitePragmas(read: EnvReader): string[] {
  const pragmas = read.list('TEMPORAL_DEV_SQLITE_PRAGMAS', '');
  for (const pragma of pragmas) {
    if (!/^[a-z_]+=[A-Za-z0-9_-]+$/.test(pragma))
      throw new ConfigError('TEMPORAL_DEV_SQLITE_PRAGMAS', `'${pragma}' is not name=value (e.g. journal_mode=wal)`);
  }
  return pragmas;
}

/**
 * The environment as envconfig should see it: blank values removed (the library would take
 * `TEMPORAL_ADDRESS=` as an empty address and `TEMPORAL_API_KEY=` as a key) and booleans in the
 * only spelling it understands (it reads `yes` as false).
 */
function envconfigVariables(read: EnvReader): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(read.env)) {
    if (value !== undefined && value.trim() !== '') env[name] = value.trim();
  }
  if (read.has('TEMPORAL_TLS')) env.TEMPORAL_TLS = String(read.boolean('TEMPORAL_TLS', false));
  delete env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION;
  return env;
}

function parsePayloadKey(variable: string, text: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new ConfigError(variable, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  return key;
}
