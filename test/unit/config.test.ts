import { ConfigError, loadConfig } from '../../src/app-config';
import { EnvReader, parseDuration } from '../../src/config/env-reader';
import { parseWebhookAuth } from '../../src/config/webhook-auth';
import { DEV_DEFAULTS } from '../support/dev-defaults';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import { providerVariable } from '../../src/providers/settings';
import { configError, productionEnv, productionVariables, requiredInProduction } from '../support/production';

const devEnv = DEV_DEFAULTS;
/** The provider the general rules are shown with: the first registered one. */
const first = PROVIDERS[0]!;
/** Another provider, for what one provider's settings must not touch. */
const second = PROVIDERS[1]!;
/** A provider whose webhook auth production must be given (it publishes no rule of its own). */
const unpublished = PROVIDERS.find((id) => id !== first && !providerModule(id).webhookAuth.default)!;
/** Everything production needs for the first provider alone. */
const production = productionEnv(first);
const variable = (suffix: Parameters<typeof providerVariable>[1], id = first) => providerVariable(id, suffix);
/** The first setting of the provider that production requires and only has a development default. */
const firstRequired = requiredInProduction(first)[0]!;

describe('loadConfig', () => {
  it('has working development defaults and says which ones it used', () => {
    const config = loadConfig(devEnv);
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'kyc-verifications' });
    expect(config.ingress.port).toBe(3000);
    for (const id of PROVIDERS) {
      const { defaults, webhookAuth } = providerModule(id);
      // Each provider's own timings (its defaults, parsed the way their variables are).
      expect(config.providers[id]!.policy.pollScheduleMs).toEqual(
        new EnvReader({}).durations(variable('POLL_SCHEDULE', id), defaults.pollSchedule),
      );
      // A published rule stands for its webhook auth; otherwise a development default is used, and said so.
      if (webhookAuth.default) {
        expect(config.providers[id]!.webhookAuth).toEqual(
          parseWebhookAuth(variable('WEBHOOK_AUTH', id), webhookAuth.default),
        );
      }
      expect(config.devDefaults).toEqual(expect.arrayContaining(requiredInProduction(id)));
    }
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('uses development defaults only when asked (KYC_DEV_DEFAULTS=1): a deployment that forgets NODE_ENV is refused, not open', () => {
    // Nothing set and no opt-in: stops on the first setting that only has a development default.
    expect(configError(() => loadConfig({})).message).toBe(
      `${firstRequired}: must be set: development defaults are off (KYC_DEV_DEFAULTS=1 turns them on outside production)`,
    );
    // The loopback-only callback auth of the providers that publish no rule is such a default too.
    const { [variable('WEBHOOK_AUTH', unpublished)]: _auth, ...allButAuth } = productionVariables(unpublished);
    expect(configError(() => loadConfig({ KYC_PROVIDERS: unpublished, ...allButAuth })).variable).toBe(
      variable('WEBHOOK_AUTH', unpublished),
    );
    expect(configError(() => loadConfig({ KYC_DEV_DEFAULTS: '0' })).variable).toBe(firstRequired);
    // Everything set: no opt-in needed.
    const { NODE_ENV: _production, ...allSet } = production;
    expect(loadConfig(allSet).devDefaults).toEqual([]);
    // Production ignores the opt-in.
    expect(configError(() => loadConfig({ ...production, [firstRequired]: '', ...DEV_DEFAULTS })).message).toBe(
      `${firstRequired}: must be set when NODE_ENV=production (its default is for development only)`,
    );
  });

  it.each([
    [{ PORT: 'eighty' }, "PORT: 'eighty' is not a port number (0-65535)"],
    [
      { [variable('POLL_SCHEDULE')]: '40,abc' },
      `${variable('POLL_SCHEDULE')}: '40,abc' is not a comma-separated list of durations (e.g. 40,60,100 or 30s,2m)`,
    ],
    [
      { [variable('CALLBACK_GRACE')]: '-5m' },
      `${variable('CALLBACK_GRACE')}: '-5m' is not a duration (e.g. 40, 30s, 15m, 2h, 7d)`,
    ],
    [{ [variable('API_BASE_URL')]: 'ftp://x' }, `${variable('API_BASE_URL')}: is not an http(s) URL`],
    [
      { [variable('WEBHOOK_AUTH')]: 'ip:300.1.1.1' },
      `${variable('WEBHOOK_AUTH')}: rule 1: ip: entry 1 is not an IP address or CIDR range`,
    ],
    [
      { [variable('WEBHOOK_AUTH')]: 'hmac:abc' },
      `${variable('WEBHOOK_AUTH')}: rule 1: hmac: parameter 1 is not name=value (a secret holding , or ; is given as hex: or base64:)`,
    ],
    [
      { [variable('WEBHOOK_AUTH')]: 'sha1:abc' },
      `${variable('WEBHOOK_AUTH')}: rule 1: unknown scheme (use ip:, basic:, bearer:, header:, hmac: or none)`,
    ],
    [
      { TRUST_PROXY: '10.0.0.0/' },
      'TRUST_PROXY: entry 1 is not an address, a subnet (CIDR or netmask) or one of loopback, linklocal, uniquelocal',
    ],
    [{ KYC_PROVIDERS: `${first},onfido` }, `KYC_PROVIDERS: 'onfido' is not a provider (${PROVIDERS.join(', ')})`],
    [{ KYC_PAYLOAD_KEY: 'c2hvcnQ=' }, 'KYC_PAYLOAD_KEY: must be 32 bytes, base64-encoded (openssl rand -base64 32)'],
    [{ KYC_BODY_LIMIT: 'huge' }, "KYC_BODY_LIMIT: 'huge' is not a size (e.g. 512kb, 1mb)"],
  ])('stops on a bad value with one line naming it: %j', (env, message) => {
    expect(() => loadConfig({ ...devEnv, ...env })).toThrow(new ConfigError('', '').constructor as typeof ConfigError);
    expect(() => loadConfig({ ...devEnv, ...env })).toThrow(message);
  });

  it.each([
    ['a token pasted without its scheme', variable('WEBHOOK_AUTH'), 'tok-3f9a8b7c6d5e'],
    ['a misspelt scheme', variable('WEBHOOK_AUTH'), 'bearr:tok-3f9a8b7c6d5e'],
    ['a credential among the addresses', variable('WEBHOOK_AUTH'), 'ip:1.2.3.4,tok-3f9a8b7c6d5e'],
    ['the second alternative broken', variable('WEBHOOK_AUTH', second), 'bearer:ok;tok-3f9a8b7c6d5e'],
    ['a URL with a password', variable('API_BASE_URL'), 'ftp://user:tok-3f9a8b7c6d5e@host'],
    ['a proxy list with a typo', 'TRUST_PROXY', '10.0.0.1,tok-3f9a8b7c6d5e'],
  ])('never prints a credential in a configuration error (%s)', (_case, variable, value) => {
    const err = configError(() => loadConfig({ ...devEnv, [variable]: value }));
    expect(err.variable).toBe(variable);
    expect(err.message).not.toContain('tok-3f9a8b7c6d5e');
    expect(err.message).not.toContain('3f9a');
  });

  it('refuses development defaults when NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^TEMPORAL_ADDRESS: must be set when NODE_ENV=production/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', KYC_PROVIDERS: first }),
    ).toThrow(new RegExp(`^${firstRequired}: must be set when NODE_ENV=production`));
    const config = loadConfig(production);
    expect(config.production).toBe(true);
    expect(config.enabledProviders).toEqual([first]);
  });

  it.each(PROVIDERS)(
    'runs %s alone in production on its production variables, and refuses each one it requires when missing',
    (id) => {
      const env = productionEnv(id);
      const config = loadConfig(env);
      expect(config.enabledProviders).toEqual([id]);
      expect(config.devDefaults).toEqual([]);
      const required = requiredInProduction(id);
      expect(required.length).toBeGreaterThan(0);
      for (const name of required) {
        const { [name]: _missing, ...without } = env;
        expect(configError(() => loadConfig(without)).message).toBe(
          `${name}: must be set when NODE_ENV=production (its default is for development only)`,
        );
      }
      // Another provider alone needs none of this one's settings.
      const other = PROVIDERS.find((each) => each !== id)!;
      expect(loadConfig(productionEnv(other)).enabledProviders).toEqual([other]);
    },
  );

  it.each([['ip:0.0.0.0/0'], ['ip:::/0'], ['ip:52.8.136.236,10.0.0.0/0'], ['bearer:b;ip:::ffff:1.2.3.4/0']])(
    'refuses an all-address range in production webhook auth: %s',
    (spec) => {
      expect(configError(() => loadConfig({ ...production, [variable('WEBHOOK_AUTH')]: spec })).message).toBe(
        `${variable('WEBHOOK_AUTH')}: a range with prefix 0 (every address) is refused when NODE_ENV=production: it authenticates no one`,
      );
      // Development may use one (a container network, say).
      expect(
        loadConfig({ ...devEnv, [variable('WEBHOOK_AUTH')]: spec }).providers[first]!.webhookAuth.length,
      ).toBeGreaterThan(0);
    },
  );

  it('refuses TRUST_PROXY=true in production, where it would let anyone pass an IP allowlist', () => {
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(/^TRUST_PROXY: 'true' is refused/);
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).ingress.trustProxy).toBe(1);
  });

  it.each(['0.0.0.0/0', '::/0', 'loopback, 10.0.0.0/0.0.0.0', '10.0.0.1, ::ffff:10.0.0.0/0'])(
    'refuses a TRUST_PROXY range that makes every address a proxy: %s',
    (value) => {
      for (const env of [production, devEnv]) {
        expect(configError(() => loadConfig({ ...env, TRUST_PROXY: value })).message).toMatch(
          /^TRUST_PROXY: entry \d trusts every address as a proxy \(prefix 0\)/,
        );
      }
    },
  );

  it('reads the start bound and the retention fallback', () => {
    expect(loadConfig(devEnv).ingress).toMatchObject({
      callbackStartsPerMinute: 300,
      namespaceRetentionFallbackMs: 86_400_000,
    });
    expect(
      loadConfig({ ...devEnv, KYC_CALLBACK_STARTS_PER_MINUTE: '12', KYC_NAMESPACE_RETENTION: '3d' }).ingress,
    ).toMatchObject({ callbackStartsPerMinute: 12, namespaceRetentionFallbackMs: 3 * 86_400_000 });
    expect(configError(() => loadConfig({ ...devEnv, KYC_CALLBACK_STARTS_PER_MINUTE: '0' })).variable).toBe(
      'KYC_CALLBACK_STARTS_PER_MINUTE',
    );
  });

  it('reads the callback body limit', () => {
    expect(loadConfig(devEnv).ingress.bodyLimitBytes).toBe(1024 * 1024);
    expect(loadConfig({ ...devEnv, KYC_BODY_LIMIT: '512kb' }).ingress.bodyLimitBytes).toBe(512 * 1024);
    expect(loadConfig({ ...devEnv, KYC_BODY_LIMIT: '4mb' }).ingress.bodyLimitBytes).toBe(4 * 1024 * 1024);
  });

  it("reads the worker's cache size, leaving the SDK's default when unset", () => {
    expect(loadConfig(devEnv).worker.maxCachedWorkflows).toBeUndefined();
    expect(loadConfig({ ...devEnv, KYC_WORKER_MAX_CACHED: '500' }).worker.maxCachedWorkflows).toBe(500);
    expect(() => loadConfig({ ...devEnv, KYC_WORKER_MAX_CACHED: '1' })).toThrow(/KYC_WORKER_MAX_CACHED/);
  });

  it('parses durations', () => {
    expect(parseDuration('40')).toBe(40_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('reads TRUST_PROXY as Express expects it', () => {
    const trustProxy = (value?: string) =>
      loadConfig({ ...devEnv, ...(value === undefined ? {} : { TRUST_PROXY: value }) }).ingress.trustProxy;
    expect(trustProxy()).toBe(false);
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    expect(trustProxy('10.0.0.0/255.0.0.0,fd00::/8,172.16.0.1')).toBe('10.0.0.0/255.0.0.0,fd00::/8,172.16.0.1');
    // What Express itself cannot compile stops start-up with one line, not a stack trace.
    for (const bad of ['10.0.0.0/', '10.0.0.0/1e1', '10.0.0.0/255.0.255.0', 'localhost', '10.0.0.0/33']) {
      expect(configError(() => trustProxy(bad)).variable).toBe('TRUST_PROXY');
    }
  });
});

describe('which providers a deployment runs', () => {
  /** Production with only the first provider's settings, and no KYC_PROVIDERS: what a deployment of one provider sets. */
  const { KYC_PROVIDERS: _listed, ...firstOnly } = production;

  it('disables, in production, a provider none of whose settings is set, with the reason: no start-up refusal', () => {
    const config = loadConfig(firstOnly);
    expect(config.enabledProviders).toEqual([first]);
    const others = PROVIDERS.filter((id) => id !== first);
    expect(config.disabledProviders.map(({ id }) => id)).toEqual(others);
    for (const { id, reason } of config.disabledProviders) {
      expect(reason).toMatch(/^none of its settings is set \(/);
      expect(reason).toContain(`${id.toUpperCase()}_WEBHOOK_AUTH`);
      for (const variable of providerModule(id).variables) expect(reason).toContain(variable.name);
    }
    expect(Object.keys(config.providers)).toEqual([first]);
  });

  it('refuses, in production, a provider only partly configured, naming what is missing', () => {
    // One of its settings set, the first it requires missing.
    const [missing, ...rest] = requiredInProduction(unpublished);
    const oneSet = { [rest[0]!]: productionVariables(unpublished)[rest[0]!]! };
    expect(configError(() => loadConfig({ ...firstOnly, ...oneSet })).message).toBe(
      `${missing}: must be set when NODE_ENV=production (its default is for development only)`,
    );
  });

  it('refuses a production deployment that configures no provider at all', () => {
    expect(configError(() => loadConfig({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 't:7233' })).message).toMatch(
      /^KYC_PROVIDERS: no provider is configured/,
    );
  });

  it('serves every registered provider in development, and exactly KYC_PROVIDERS when it is set', () => {
    expect(loadConfig(devEnv).enabledProviders).toEqual(PROVIDERS);
    expect(loadConfig(devEnv).disabledProviders).toEqual([]);
    expect(loadConfig({ ...devEnv, KYC_PROVIDERS: PROVIDERS[1]! }).enabledProviders).toEqual([PROVIDERS[1]]);
  });

  it('keeps the callbacks of the providers that never retry in the local inbox by default (each module says whether it does)', () => {
    const neverRetry = PROVIDERS.filter((id) => !providerModule(id).retriesCallbacks);
    expect(neverRetry.length).toBeGreaterThan(0);
    expect(loadConfig(devEnv).reliability.inboxProviders).toEqual(neverRetry);
    expect(loadConfig({ ...devEnv, KYC_INBOX_PROVIDERS: '' }).reliability.inboxProviders).toEqual(neverRetry);
    expect(loadConfig({ ...devEnv, KYC_INBOX_PROVIDERS: PROVIDERS[0]! }).reliability.inboxProviders).toEqual([
      PROVIDERS[0],
    ]);
  });

  it.each(PROVIDERS)('reads %s_MAX_POLLS_PER_SECOND for that provider (default 5)', (id) => {
    const variable = `${id.toUpperCase()}_MAX_POLLS_PER_SECOND`;
    expect(loadConfig(devEnv).providers[id]!.maxPollsPerSecond).toBe(
      providerModule(id).defaults.maxPollsPerSecond ?? 5,
    );
    expect(loadConfig({ ...devEnv, [variable]: '9' }).providers[id]!.maxPollsPerSecond).toBe(9);
    expect(configError(() => loadConfig({ ...devEnv, [variable]: '0' })).variable).toBe(variable);
  });
});

describe("a provider's settings reader", () => {
  it('reads only what its owner declares, and records what it read', () => {
    const reader = new EnvReader({ P_TOKEN: 't', P_OTHER: 'o' }).scoped(['P_TOKEN', 'P_UNSET'], 'provider p');
    expect(reader.string('P_TOKEN')).toBe('t');
    expect(reader.string('P_UNSET', 'default')).toBe('default');
    expect(() => reader.string('P_OTHER')).toThrow('provider p reads P_OTHER, which it does not declare');
    expect([...reader.read]).toEqual(['P_TOKEN', 'P_UNSET']);
  });

  it('shares the development defaults it fell back to with the reader it came from', () => {
    const parent = new EnvReader({});
    parent.scoped(['P_SECRET'], 'provider p').devString('P_SECRET', '');
    expect(parent.devDefaults).toEqual(['P_SECRET']);
  });
});
