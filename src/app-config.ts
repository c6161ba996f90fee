import { LOG_LEVELS, type LogLevel } from './logger';
import type { ProviderModule } from './providers/module';
import { isProviderId, PROVIDERS, providerModule, type ProviderId } from './providers/registry';
import { COMMON_PROVIDER_VARIABLES, providerVariable } from './providers/settings';
import type { VerificationPolicy } from './verification/model';
import { readCodecConfig, type CodecConfig } from './config/codec';
import { ConfigError, EnvReader } from './config/env-reader';
import { readNotifyConfig, type NotifyConfig } from './config/notify';
import { readTemporalSettings, type TemporalSettings } from './config/temporal';
import { parseTrustProxy } from './config/trust-proxy';
import { parseWebhookAuth, type WebhookAuthRule } from './config/webhook-auth';
import { requireTemporalAddress } from './config/client';

export { ConfigError } from './config/env-reader';
export type { NotifyConfig } from './config/notify';
export type { CodecAuthSettings, CodecConfig } from './config/codec';
export type { TemporalConnectionSettings, TemporalSettings } from './config/temporal';

export interface ProviderConfig {
  id: ProviderId;
  apiBaseUrl: string;
  webhookAuth: WebhookAuthRule[];
  policy: VerificationPolicy;
  /** Retrieval calls per second to the provider, across all workers (a task queue rate limit). */
  maxPollsPerSecond: number;
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
   * Providers left out in production because none of their settings is set (KYC_PROVIDERS unset):
   * a provider added to the code never stops a deployment that does not use it. Printed at start-up.
   */
  disabledProviders: { id: ProviderId; reason: string }[];
  /**
   * Variables that fell back to a development default (printed at start-up). Only ever non-empty
   * with KYC_DEV_DEFAULTS=1 outside production: otherwise a missing one stops start-up.
   */
  devDefaults: string[];
}

/** Dead letters, the local inbox and the poll rate limits (docs/architecture.md, "Guarantees"). */
export interface ReliabilityConfig {
  /** How long a refused callback is kept for listing and replay. */
  deadLetterRetentionMs: number;
  /** Largest raw body a dead letter keeps (only ever kept encrypted); larger bodies are summarised. */
  deadLetterMaxBytes: number;
  /** Where callbacks wait, fsynced, while Temporal cannot take them. */
  inboxDir: string;
  /** Providers whose callbacks go to the inbox instead of a 503 (by default those that never retry). */
  inboxProviders: ProviderId[];
  /** Past this, the inbox refuses (503) rather than fill the disk. */
  inboxMaxBytes: number;
  /** After our timer closed a verification, how long a provider's verdict still raises a late-verdict alert. */
  lateVerdictWindowMs: number;
}

/** Dev-only callback auth for providers with no production default: loopback only. */
export const DEV_WEBHOOK_AUTH = 'ip:127.0.0.1,::1';
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

  const { enabledProviders, disabledProviders } = readEnabledProviders(read, production);

  const notify = readNotifyConfig(read);
  const shared: SharedPolicy = {
    // Every verification that ends is pushed to the app when KYC_NOTIFY_URL is set.
    notify: notify.enabled,
    maxHistoryEvents: read.integer('KYC_MAX_HISTORY_EVENTS', DEFAULT_MAX_HISTORY_EVENTS, 20),
    retrievalRetryInitialMs: read.duration('KYC_PROVIDER_RETRY_INITIAL', '5s'),
    retrievalRetryMaximumMs: read.duration('KYC_PROVIDER_RETRY_MAX', '5m'),
  };
  const providers: Partial<Record<ProviderId, ProviderConfig>> = {};
  for (const id of enabledProviders) providers[id] = readProvider(read, id, shared, production);

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
    reliability: readReliability(read),
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
    disabledProviders,
    devDefaults: read.devDefaults,
  };

  if (production) requireTemporalAddress(config.temporal);
  if (enabledProviders.length === 0) {
    const prefixes = PROVIDERS.map((id) => providerVariable(id, '*')).join(', ');
    throw new ConfigError(
      'KYC_PROVIDERS',
      `no provider is configured: set one's variables (${prefixes}) or KYC_PROVIDERS`,
    );
  }
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
    // an IP allowlist (some providers' only authentication) could then be passed by anyone.
    throw new ConfigError(
      'TRUST_PROXY',
      "'true' is refused when NODE_ENV=production: give the proxy hop count or its addresses",
    );
  }
  for (const id of config.enabledProviders) {
    const variable = providerVariable(id, 'WEBHOOK_AUTH');
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

type SharedPolicy = Pick<
  VerificationPolicy,
  'maxHistoryEvents' | 'retrievalRetryInitialMs' | 'retrievalRetryMaximumMs' | 'notify'
>;

/** How long a verification the provider never settles may stay open (also at least a day past its deadline). */
export const DEFAULT_MAX_LIFETIME = '30d';

/** Retrieval calls per second to one provider, across all workers, when its module gives no other. */
export const DEFAULT_MAX_POLLS_PER_SECOND = 5;

/** How long a provisional decision waits for the final one: as long as a late verdict is listened for (KYC_LATE_VERDICT_WINDOW). */
export const DEFAULT_REVIEW_WINDOW = '30d';

/**
 * Wake-ups spread so a burst of starts, or the callbacks after an outage, do not poll or check
 * deadlines in the same second: the first poll waits the grace +0..10 %, the deadline is checked
 * up to 5 minutes after it (at most 10 % of the lifetime). Neither is ever earlier.
 */
const FIRST_POLL_JITTER = 0.1;
const EXPIRY_CHECK_SPREAD_MS = 5 * 60_000;

/**
 * The providers served: KYC_PROVIDERS, else every registered one; in production, without
 * KYC_PROVIDERS, only those with at least one of their settings set (the others are disabled, and
 * said so at start-up): a provider added to the code must not stop a deployment that does not use
 * it. A provider partly configured is read, and refused naming what is missing.
 */
function readEnabledProviders(
  read: EnvReader,
  production: boolean,
): { enabledProviders: ProviderId[]; disabledProviders: AppConfig['disabledProviders'] } {
  if (read.has('KYC_PROVIDERS') || !production) {
    const enabledProviders = read.list('KYC_PROVIDERS', PROVIDERS.join(',')).map((name) => {
      if (!isProviderId(name)) {
        throw new ConfigError('KYC_PROVIDERS', `'${name}' is not a provider (${PROVIDERS.join(', ')})`);
      }
      return name;
    });
    return { enabledProviders, disabledProviders: [] };
  }
  const enabledProviders: ProviderId[] = [];
  const disabledProviders: AppConfig['disabledProviders'] = [];
  for (const id of PROVIDERS) {
    const names = providerVariables(providerModule(id));
    if (names.some((name) => read.has(name))) enabledProviders.push(id);
    else disabledProviders.push({ id, reason: `none of its settings is set (${names.join(', ')})` });
  }
  return { enabledProviders, disabledProviders };
}

/** Every variable a provider reads: the ones every provider has, then its own. */
export function providerVariables(module: ProviderModule): string[] {
  return [
    ...COMMON_PROVIDER_VARIABLES.map(({ suffix }) => providerVariable(module.id, suffix)),
    ...module.variables.map((variable) => variable.name),
  ];
}

function readLifetime(
  read: EnvReader,
  module: ProviderModule,
): Pick<VerificationPolicy, 'expiresAfterMs' | 'maxLifetimeMs' | 'reviewWindowMs'> {
  return {
    expiresAfterMs: read.duration(providerVariable(module.id, 'EXPIRES_AFTER'), module.defaults.expiresAfter),
    maxLifetimeMs: read.duration(
      providerVariable(module.id, 'MAX_LIFETIME'),
      module.defaults.maxLifetime ?? DEFAULT_MAX_LIFETIME,
    ),
    reviewWindowMs: read.duration(
      providerVariable(module.id, 'REVIEW_WINDOW'),
      module.defaults.reviewWindow ?? DEFAULT_REVIEW_WINDOW,
    ),
  };
}

/**
 * The longest an enabled provider's verification may stay open with its default expiry: the
 * workflow closes it at the latest of P_MAX_LIFETIME, a day past its deadline, and a day past the
 * review window of a provisional decision that came just before the deadline
 * (`lifetimeEndsAt`, src/verification/waiting.ts). Read without provider credentials, for
 * `kyc setup`'s retention check.
 */
const DAY_MS = 86_400_000;

export function longestVerificationLifetimeMs(env: NodeJS.ProcessEnv = process.env): number {
  const read = new EnvReader(env);
  const { enabledProviders } = readEnabledProviders(read, read.string('NODE_ENV') === 'production');
  // Where `kyc setup` runs there is often no provider setting at all (only Temporal's), so no
  // provider is enabled: retention must then cover every registered provider's lifetime.
  const counted = enabledProviders.length > 0 ? enabledProviders : PROVIDERS;
  return Math.max(
    ...counted.map((id) => {
      const { expiresAfterMs, maxLifetimeMs, reviewWindowMs } = readLifetime(read, providerModule(id));
      return Math.max(maxLifetimeMs, expiresAfterMs + (reviewWindowMs ?? 0) + DAY_MS);
    }),
  );
}

function readProvider(read: EnvReader, id: ProviderId, shared: SharedPolicy, production: boolean): ProviderConfig {
  const module = providerModule(id);
  const variable = (suffix: (typeof COMMON_PROVIDER_VARIABLES)[number]['suffix']) => providerVariable(id, suffix);
  const apiBaseUrl = read.url(variable('API_BASE_URL'), module.defaults.apiBaseUrl);
  const authSpec = module.webhookAuth.default
    ? read.string(variable('WEBHOOK_AUTH'), module.webhookAuth.default)
    : read.devString(variable('WEBHOOK_AUTH'), DEV_WEBHOOK_AUTH);
  return {
    id,
    apiBaseUrl,
    webhookAuth: parseWebhookAuth(variable('WEBHOOK_AUTH'), authSpec),
    policy: {
      callbackGraceMs: read.duration(variable('CALLBACK_GRACE'), module.defaults.callbackGrace),
      pollScheduleMs: read.durations(variable('POLL_SCHEDULE'), module.defaults.pollSchedule),
      ...readLifetime(read, module),
      ...shared,
      firstPollJitter: FIRST_POLL_JITTER,
      expiryCheckSpreadMs: EXPIRY_CHECK_SPREAD_MS,
      reviewWindowMs: read.duration(variable('REVIEW_WINDOW'), module.defaults.reviewWindow ?? DEFAULT_REVIEW_WINDOW),
    },
    maxPollsPerSecond: read.integer(
      variable('MAX_POLLS_PER_SECOND'),
      module.defaults.maxPollsPerSecond ?? DEFAULT_MAX_POLLS_PER_SECOND,
      1,
    ),
    // Through a reader of its declared variables only: what it declares is what it reads.
    settings: module.readSettings(read.scoped(providerVariables(module), `provider ${id}`), { apiBaseUrl, production }),
    module,
  };
}

function readReliability(read: EnvReader): ReliabilityConfig {
  // By default, the providers that never resend a callback: a 503 would lose it.
  const neverRetry = PROVIDERS.filter((id) => !providerModule(id).retriesCallbacks);
  const inboxProviders = read.list('KYC_INBOX_PROVIDERS', neverRetry.join(',')).map((name) => {
    if (!isProviderId(name)) throw new ConfigError('KYC_INBOX_PROVIDERS', `'${name}' is not a provider`);
    return name;
  });
  return {
    deadLetterRetentionMs: read.duration('KYC_DEAD_LETTER_RETENTION', '14d'),
    deadLetterMaxBytes: read.bytes('KYC_DEAD_LETTER_MAX_BYTES', '256kb'),
    inboxDir: read.string('KYC_INBOX_DIR', '.data/inbox'),
    inboxProviders,
    inboxMaxBytes: read.bytes('KYC_INBOX_MAX_BYTES', '256mb'),
    lateVerdictWindowMs: read.duration('KYC_LATE_VERDICT_WINDOW', '30d'),
  };
}

/** The configuration of an enabled provider; throws for a disabled one. */
export function enabledProvider(config: AppConfig, id: string): ProviderConfig {
  const provider = isProviderId(id) ? config.providers[id] : undefined;
  if (!provider) throw new Error(`provider ${id} is not enabled (KYC_PROVIDERS)`);
  return provider;
}
