import { ConfigError, loadConfig } from '../../src/config';
import { parseDuration } from '../../src/config/env-reader';
import { JUMIO_CALLBACK_IPS } from '../../src/providers/jumio';

const devEnv = {};

describe('loadConfig', () => {
  it('has working development defaults and says which ones it used', () => {
    const config = loadConfig(devEnv);
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'kyc-verifications' });
    expect(config.ingress.port).toBe(3000);
    expect(config.providers.jumio!.policy.pollScheduleMs).toEqual(
      [40, 60, 100, 160, 240, 340, 460, 600, 760, 940].map((s) => s * 1000),
    );
    expect(config.providers.jumio!.webhookAuth).toEqual([{ kind: 'ip', ranges: expect.any(Array) }]);
    const jumioAuth = config.providers.jumio!.webhookAuth[0];
    expect(jumioAuth?.kind === 'ip' && jumioAuth.ranges.map((r) => r.text)).toEqual(JUMIO_CALLBACK_IPS);
    expect(config.devDefaults).toEqual(expect.arrayContaining(['JUMIO_CLIENT_ID', 'JUMIO_CLIENT_SECRET']));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, "PORT: 'eighty' is not a port number (0-65535)"],
    [
      { JUMIO_POLL_SCHEDULE: '40,abc' },
      "JUMIO_POLL_SCHEDULE: '40,abc' is not a comma-separated list of durations (e.g. 40,60,100 or 30s,2m)",
    ],
    [{ JUMIO_CALLBACK_GRACE: '-5m' }, "JUMIO_CALLBACK_GRACE: '-5m' is not a duration (e.g. 40, 30s, 15m, 2h, 7d)"],
    [{ JUMIO_API_BASE_URL: 'ftp://x' }, "JUMIO_API_BASE_URL: 'ftp://x' is not an http(s) URL"],
    [{ JUMIO_WEBHOOK_AUTH: 'ip:300.1.1.1' }, "JUMIO_WEBHOOK_AUTH: '300.1.1.1' is not an IP address or CIDR range"],
    [
      { JUMIO_WEBHOOK_AUTH: 'hmac:abc' },
      "JUMIO_WEBHOOK_AUTH: unknown scheme 'hmac' (use ip:, basic:, bearer:, header: or none)",
    ],
    [
      { KYC_PROVIDERS: 'jumio,onfido' },
      "KYC_PROVIDERS: 'onfido' is not a provider (jumio, socure, attestr, unico, concedus)",
    ],
    [{ KYC_PAYLOAD_KEY: 'c2hvcnQ=' }, 'KYC_PAYLOAD_KEY: must be 32 bytes, base64-encoded (openssl rand -base64 32)'],
    [{ KYC_BODY_LIMIT: 'huge' }, "KYC_BODY_LIMIT: 'huge' is not a size (e.g. 512kb, 1mb)"],
  ])('stops on a bad value with one line naming it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError('', '').constructor as typeof ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses development defaults when NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^TEMPORAL_ADDRESS: must be set when NODE_ENV=production/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', KYC_PROVIDERS: 'jumio' }),
    ).toThrow(/^JUMIO_CLIENT_ID: must be set when NODE_ENV=production/);
    const config = loadConfig({
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: 'temporal:7233',
      KYC_PROVIDERS: 'jumio',
      JUMIO_CLIENT_ID: 'id',
      JUMIO_CLIENT_SECRET: 'secret',
    });
    expect(config.production).toBe(true);
    expect(config.enabledProviders).toEqual(['jumio']);
  });

  it('refuses TRUST_PROXY=true in production, where it would let anyone pass an IP allowlist', () => {
    const production = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: 't:7233',
      KYC_PROVIDERS: 'jumio',
      JUMIO_CLIENT_ID: 'i',
      JUMIO_CLIENT_SECRET: 's',
    };
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(/^TRUST_PROXY: 'true' is refused/);
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).ingress.trustProxy).toBe(1);
  });

  it('reads the callback body limit', () => {
    expect(loadConfig({}).ingress.bodyLimitBytes).toBe(1024 * 1024);
    expect(loadConfig({ KYC_BODY_LIMIT: '512kb' }).ingress.bodyLimitBytes).toBe(512 * 1024);
    expect(loadConfig({ KYC_BODY_LIMIT: '4mb' }).ingress.bodyLimitBytes).toBe(4 * 1024 * 1024);
  });

  it("reads the worker's cache size, leaving the SDK's default when unset", () => {
    expect(loadConfig({}).worker.maxCachedWorkflows).toBeUndefined();
    expect(loadConfig({ KYC_WORKER_MAX_CACHED: '500' }).worker.maxCachedWorkflows).toBe(500);
    expect(() => loadConfig({ KYC_WORKER_MAX_CACHED: '1' })).toThrow(/KYC_WORKER_MAX_CACHED/);
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
    expect(loadConfig({}).ingress.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).ingress.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).ingress.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).ingress.trustProxy).toBe('loopback, 10.0.0.0/8');
  });
});
