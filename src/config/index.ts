import { LOG_LEVELS, type LogLevel } from '../logger';
import type { VerificationPolicy } from '../workflows/messages';
import { providerModules } from '../providers/registry';
import type { ProviderModule } from '../providers/module';
import { isProviderId, type ProviderId } from '../verification/model';
import { readCodecConfig, type CodecConfig } from './codec';
import { ConfigError, EnvReader } from './env-reader';
import { readNotifyConfig, type NotifyConfig } from './notify';
import { readTemporalSettings, type TemporalSettings } from './temporal';
import { parseTrustProxy } from './trust-proxy';
import { parseWebhookAuth, type WebhookAuthRule } from './webhook-auth';

export { ConfigError } from './env-reader';
export type { NotifyConfig } from './notify';
export type { CodecAuthSettings, CodecConfig } from './codec';
export type { TemporalConnectionSettings, TemporalSettings } from './temporal';

export interface ProviderConfig {
  id: ProviderId;
  apiBaseUrl: string;
  webhookAuth: WebhookAuthRule[];
  policy: VerificationPolicy;
  /** The provider's own settings (credentials, API flavour), read by its module. */
  settings: unknown;
  module: ProviderModule;
}

export interface AppConfig {
  production: boolean;
  temporal: TemporalSettings;
  ingress: {
    port: number;
    trustProxy: boolean | number | string;
    bodyLimitBytes: number;
    /** Most hand-overs to Temporal waiting at once; beyond the (adaptive) limit a callback gets 503 + Retry-After. */
    maxHandoversInFlight: number;
    /** Events Temporal acknowledged that the ingress remembers, so exact redeliveries skip their signal; 0: off. */
    dedupEntries: number;
    /**
     * Workflows (verifications and dead letters) callbacks may start per provider per minute, per
     * ingress process; beyond it a callback that would start one gets 503 + Retry-After (or waits
     * in the inbox, for providers that never retry). Callbacks for existing verifications pass.
     */
    callbackStartsPerMinute: number;
    /**
     * The namespace's retention when it cannot be read from Temporal: a callback whose own
     * timestamp is older than the retention never starts a verification (it may have been one
     * that closed and was deleted since).
     */
    namespaceRetentionFallbackMs: number;
  };
  /** Pushing each verdict to the app (`KYC_NOTIFY_URL`); `enabled` goes into every verification's policy. */
  notify: NotifyConfig;
  reliability: ReliabilityConfig;
  worker: {
    /** A prebuilt workflow bundle (bundleWorkflowCode); unset: bundled from source at start. */
    workflowBundle?: string;
    /**
     * Verifications kept in the worker's memory between tasks (unset: the SDK's default, about 600
     * per GiB of heap). Each costs about 330 KB; one that is not cached replays its short history
     * when it next wakes, which a verification waiting hours between events can well afford.
     */
    maxCachedWorkflows?: number;
  };
  observability: {
    logLevel: LogLevel;
    /** Set: metrics and the worker's health are served on this port, not on the ingress's. */
    metricsPort?: number;
  };
  /** The codec endpoint that lets the Temporal Web UI decrypt payloads (`src/codec-server.ts`). */
  codec: CodecConfig;
  /** Only the enabled providers: a disabled provider's variables are not even read. */
  providers: Partial<Record<ProviderId, ProviderConfig>>;
  enabledProviders: ProviderId[];
  /**
   * Variables that fell back to a development default (printed at start-up). Only ever non-empty
   * with KYC_DEV_DEFAULTS=1 outside production: otherwise a missing one stops start-up.
   */
  devDefaults: string[];
}

/** Dead letters, the local inbox and the poll rate limits (see README "Guarantees"). */
export interface ReliabilityConfig {
  /** How long a refused callback is kept for listing and replay. */
  deadLetterRetentionMs: number;
  /** Largest raw body a dead letter keeps (only ever kept encrypted); larger bodies are summarised. */
  deadLetterMaxBytes: number;
  /** Where callbacks wait, fsynced, while Temporal cannot take them. */
  inboxDir: string;
  /** Providers whose callbacks go to the inbox instead of a 503 (those that never retry). */
  inboxProviders: ProviderId[];
  /** Past this, the inbox refuses (503) rather than fill the disk. */
  inboxMaxBytes: number;
  /** Retrieval calls per second, per provider, across all workers (a task queue rate limit). */
  maxPollsPerSecond: Partial<Record<ProviderId, number>>;
  /** After our timer closed a verification, how long a provider's verdict still raises a late-verdict alert. */
  lateVerdictWindowMs: number;
}

/** Dev-only callback auth for providers with no production default: loopback only. */
const DEV_WEBHOOK_AUTH = 'ip:127.0.0.1,::1';
const DEFAULT_MAX_HISTORY_EVENTS = 10_000;
/**
 * The most hand-overs that wait at once: about a second of the embedded dev server's
 * signal-with-start rate (~50/s on two quiet cores). Below it the limit follows the queue the
 * ingress builds in Temporal (src/ingress/handover-limit.ts), so an acknowledgement stays within a
 * provider's 5 s timeout.
 */
const DEFAULT_MAX_HANDOVERS_IN_FLIGHT = 64;
/** A few MB at most: a replayed backlog of this many events is answered without signals. */
const DEFAULT_INGRESS_DEDUP_ENTRIES = 10_000;
/**
 * 5 a second per provider and ingress process: above the callback-first starts of a busy
 * deployment (apps start their verifications through the client, which is not bounded), and
 * small enough that a credential holder's flood of made-up references adds verifications, each
 * polling the provider with our credentials, no faster than this.
 */
const DEFAULT_CALLBACK_STARTS_PER_MINUTE = 300;

/**
 * Parses the whole environment once, at start-up. A wrong value throws {@link ConfigError},
 * whose message is one line naming the variable. The result is frozen and never logged.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const read = new EnvReader(env);
  const production = read.string('NODE_ENV') === 'production';
  // Opt-in, so that a deployment that forgets NODE_ENV is refused, not open (loopback-only auth
  // admits everyone behind a proxy on the same host). `npm start`, `npm run demo` and the tests
  // set it; production ignores it.
  const devDefaultsAllowed = !production && read.boolean('KYC_DEV_DEFAULTS', false);

  const enabledProviders = readEnabledProviders(read);

  const notify = readNotifyConfig(read);
  const shared: SharedPolicy = {
    // Every verification that ends is pushed to the app when KYC_NOTIFY_URL is set.
    notify: notify.enabled,
    maxHistoryEvents: read.integer('KYC_MAX_HISTORY_EVENTS', DEFAULT_MAX_HISTORY_EVENTS, 20),
    retrievalRetryInitialMs: read.duration('KYC_PROVIDER_RETRY_INITIAL', '5s'),
    retrievalRetryMaximumMs: read.duration('KYC_PROVIDER_RETRY_MAX', '5m'),
  };
  const providers: Partial<Record<ProviderId, ProviderConfig>> = {};
  for (const module of providerModules) {
    if (enabledProviders.includes(module.id)) providers[module.id] = readProvider(read, module, shared);
  }

  const config: AppConfig = {
    production,
    temporal: readTemporalSettings(read),
    ingress: {
      port: read.port('PORT', 3000),
      trustProxy: parseTrustProxy(read.string('TRUST_PROXY')),
      bodyLimitBytes: read.bytes('KYC_BODY_LIMIT', '1mb'),
      maxHandoversInFlight: read.integer('KYC_MAX_HANDOVERS_IN_FLIGHT', DEFAULT_MAX_HANDOVERS_IN_FLIGHT, 1),
      dedupEntries: read.integer('KYC_INGRESS_DEDUP_ENTRIES', DEFAULT_INGRESS_DEDUP_ENTRIES, 0),
      callbackStartsPerMinute: read.integer('KYC_CALLBACK_STARTS_PER_MINUTE', DEFAULT_CALLBACK_STARTS_PER_MINUTE, 1),
      namespaceRetentionFallbackMs: read.duration('KYC_NAMESPACE_RETENTION', '1d'),
    },
    notify,
    reliability: readReliability(read, enabledProviders),
    worker: {
      workflowBundle: read.string('KYC_WORKFLOW_BUNDLE'),
      // At least 2: the SDK's floor for a worker that caches at all.
      maxCachedWorkflows: read.has('KYC_WORKER_MAX_CACHED') ? read.integer('KYC_WORKER_MAX_CACHED', 0, 2) : undefined,
    },
    observability: {
      logLevel: read.enumOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      metricsPort: read.has('METRICS_PORT') ? read.port('METRICS_PORT', 0) : undefined,
    },
    codec: readCodecConfig(read, production),
    providers,
    enabledProviders,
    devDefaults: read.devDefaults,
  };

  if (production) requireTemporalAddress(config.temporal);
  const [firstDevDefault] = config.devDefaults;
  if (firstDevDefault && !devDefaultsAllowed) {
    throw new ConfigError(
      firstDevDefault,
      production
        ? 'must be set when NODE_ENV=production (its default is for development only)'
        : 'must be set: development defaults are off (KYC_DEV_DEFAULTS=1 turns them on outside production)',
    );
  }
  if (production) refuseUnsafeInProduction(config);
  return Object.freeze(config);
}

/** Values that are fine on a laptop and an open door in production. */
function refuseUnsafeInProduction(config: AppConfig): void {
  if (config.ingress.trustProxy === true) {
    // With `true` the left-most X-Forwarded-For entry, which any caller writes, becomes req.ip:
    // an IP allowlist (Jumio's only authentication) could then be passed by anyone.
    throw new ConfigError(
      'TRUST_PROXY',
      "'true' is refused when NODE_ENV=production: give the proxy hop count or its addresses",
    );
  }
  for (const id of config.enabledProviders) {
    const variable = `${id.toUpperCase()}_WEBHOOK_AUTH`;
    for (const rule of config.providers[id]!.webhookAuth) {
      if (rule.kind === 'none') throw new ConfigError(variable, "'none' is refused when NODE_ENV=production");
      if (rule.kind === 'ip' && rule.ranges.some((range) => range.allAddresses)) {
        throw new ConfigError(
          variable,
          'a range with prefix 0 (every address) is refused when NODE_ENV=production: it authenticates no one',
        );
      }
    }
  }
}

/** What `KycClient` and `kyc` need: Temporal only, never provider credentials or webhook secrets. */
export interface ClientConfig {
  production: boolean;
  temporal: TemporalSettings;
}

/**
 * Parses only the Temporal settings (connection, namespace, task queue, payload key), so an app
 * or an operator's terminal that starts and reads verifications needs no provider configuration,
 * also with NODE_ENV=production. Polling policies come from the worker.
 */
export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const read = new EnvReader(env);
  const production = read.string('NODE_ENV') === 'production';
  const config: ClientConfig = { production, temporal: readTemporalSettings(read) };
  if (production) requireTemporalAddress(config.temporal);
  return Object.freeze(config);
}

function requireTemporalAddress(temporal: TemporalSettings): void {
  if (!temporal.address) {
    throw new ConfigError(
      'TEMPORAL_ADDRESS',
      'must be set when NODE_ENV=production, or come from the config file profile (the embedded dev server is for development)',
    );
  }
}

type SharedPolicy = Pick<
  VerificationPolicy,
  'maxHistoryEvents' | 'retrievalRetryInitialMs' | 'retrievalRetryMaximumMs' | 'notify'
>;

/** How long a verification the provider never settles may stay open (also at least a day past its deadline). */
const DEFAULT_MAX_LIFETIME = '30d';

/**
 * Wake-ups spread so a burst of starts, or the callbacks after an outage, do not poll or check
 * deadlines in the same second: the first poll waits the grace +0..10 %, the deadline is checked
 * up to 5 minutes after it (at most 10 % of the lifetime). Neither is ever earlier.
 */
const FIRST_POLL_JITTER = 0.1;
const EXPIRY_CHECK_SPREAD_MS = 5 * 60_000;

function readEnabledProviders(read: EnvReader): ProviderId[] {
  const known = providerModules.map((module) => module.id);
  return read.list('KYC_PROVIDERS', known.join(',')).map((name) => {
    if (!(known as string[]).includes(name)) {
      throw new ConfigError('KYC_PROVIDERS', `'${name}' is not a provider (${known.join(', ')})`);
    }
    return name as ProviderId;
  });
}

function readLifetime(
  read: EnvReader,
  module: ProviderModule,
): Pick<VerificationPolicy, 'expiresAfterMs' | 'maxLifetimeMs'> {
  const prefix = module.id.toUpperCase();
  return {
    expiresAfterMs: read.duration(`${prefix}_EXPIRES_AFTER`, module.defaults.expiresAfter),
    maxLifetimeMs: read.duration(`${prefix}_MAX_LIFETIME`, DEFAULT_MAX_LIFETIME),
  };
}

/**
 * The longest an enabled provider's verification may stay open with its default expiry (the
 * workflow closes it at the later of P_MAX_LIFETIME and a day past its deadline). Read without
 * provider credentials, for `kyc setup`'s retention check.
 */
export function longestVerificationLifetimeMs(env: NodeJS.ProcessEnv = process.env): number {
  const read = new EnvReader(env);
  const enabled = readEnabledProviders(read);
  return Math.max(
    ...providerModules
      .filter((module) => enabled.includes(module.id))
      .map((module) => {
        const { expiresAfterMs, maxLifetimeMs } = readLifetime(read, module);
        return Math.max(maxLifetimeMs, expiresAfterMs + 86_400_000);
      }),
  );
}

function readProvider(read: EnvReader, module: ProviderModule, shared: SharedPolicy): ProviderConfig {
  const prefix = module.id.toUpperCase();
  const apiBaseUrl = read.url(`${prefix}_API_BASE_URL`, module.defaults.apiBaseUrl);
  const authVariable = `${prefix}_WEBHOOK_AUTH`;
  const authSpec = module.defaults.webhookAuth
    ? read.string(authVariable, module.defaults.webhookAuth)
    : read.devString(authVariable, DEV_WEBHOOK_AUTH);
  return {
    id: module.id,
    apiBaseUrl,
    webhookAuth: parseWebhookAuth(authVariable, authSpec),
    policy: {
      callbackGraceMs: read.duration(`${prefix}_CALLBACK_GRACE`, module.defaults.callbackGrace),
      pollScheduleMs: read.durations(`${prefix}_POLL_SCHEDULE`, module.defaults.pollSchedule),
      ...readLifetime(read, module),
      ...shared,
      firstPollJitter: FIRST_POLL_JITTER,
      expiryCheckSpreadMs: EXPIRY_CHECK_SPREAD_MS,
    },
    settings: module.readSettings(read, apiBaseUrl),
    module,
  };
}

function readReliability(read: EnvReader, enabledProviders: ProviderId[]): ReliabilityConfig {
  const inboxProviders = read.list('KYC_INBOX_PROVIDERS', 'attestr').map((name) => {
    if (!isProviderId(name)) throw new ConfigError('KYC_INBOX_PROVIDERS', `'${name}' is not a provider`);
    return name;
  });
  const maxPollsPerSecond: Partial<Record<ProviderId, number>> = {};
  for (const id of enabledProviders) {
    maxPollsPerSecond[id] = read.integer(`${id.toUpperCase()}_MAX_POLLS_PER_SECOND`, 5, 1);
  }
  return {
    deadLetterRetentionMs: read.duration('KYC_DEAD_LETTER_RETENTION', '14d'),
    deadLetterMaxBytes: read.bytes('KYC_DEAD_LETTER_MAX_BYTES', '256kb'),
    inboxDir: read.string('KYC_INBOX_DIR', '.data/inbox'),
    inboxProviders,
    inboxMaxBytes: read.bytes('KYC_INBOX_MAX_BYTES', '256mb'),
    maxPollsPerSecond,
    lateVerdictWindowMs: read.duration('KYC_LATE_VERDICT_WINDOW', '30d'),
  };
}

/** The configuration of an enabled provider; throws for a disabled one. */
export function enabledProvider(config: AppConfig, id: ProviderId): ProviderConfig {
  const provider = config.providers[id];
  if (!provider) throw new Error(`provider ${id} is not enabled (KYC_PROVIDERS)`);
  return provider;
}
