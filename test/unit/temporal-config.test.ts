import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, longestVerificationLifetimeMs } from '../../src/app-config';
import { connectionOptions } from '../../src/temporal/connection';
import { loadClientConfig } from '../../src/config/client';
import { PROVIDERS } from '../../src/providers/registry';
import type { VerificationPolicy } from '../../src/verification/model';
import { configError } from '../support/production';

const dir = mkdtempSync(join(tmpdir(), 'kyc-temporal-config-'));
const pem = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const certPath = pem('client.pem', '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n');
const keyPath = pem('client.key', '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n');
const caPath = pem('ca.pem', '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n');

/** When the workflow closes a verification at the latest (`lifetimeEndsAt`): the deadline's, or a review's, day after. */
function longestLifetime(policy: VerificationPolicy): number {
  return Math.max(policy.maxLifetimeMs, policy.expiresAfterMs + (policy.reviewWindowMs ?? 0) + 86_400_000);
}

describe('Temporal client configuration (envconfig)', () => {
  it('leaves the address unset for the embedded dev server, also when the variables are blank', () => {
    const config = loadClientConfig({ TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: ' ', TEMPORAL_TLS: '' });
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.connection).toEqual({});
    expect(connectionOptions(config)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('turns TLS on with an API key, as the temporal CLI does (Temporal Cloud)', () => {
    const config = loadClientConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'k-123',
    });
    expect(connectionOptions(config)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'k-123', tls: true });
    expect(config.temporal.namespace).toBe('ns.acct');
  });

  it('reads mTLS files, the server CA, the server name and gRPC headers', () => {
    const config = loadClientConfig({
      TEMPORAL_ADDRESS: '10.0.0.5:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_GRPC_META_X_TENANT: 'kyc',
    });
    const tls = config.temporal.connection.tls;
    expect(tls).toMatchObject({ serverNameOverride: 'temporal.internal' });
    if (typeof tls !== 'object') throw new Error('expected a TLS object');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toContain('Y2VydA==');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toContain('a2V5');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toContain('Y2E=');
    expect(config.temporal.connection.metadata).toEqual({ 'x-tenant': 'kyc' });
  });

  it('reads a profile from the config file, and the environment overrides it', () => {
    const file = pem(
      'temporal.toml',
      [
        '[profile.prod]',
        'address = "temporal.prod:7233"',
        'namespace = "kyc-prod"',
        'api_key = "from-file"',
        '[profile.prod.tls]',
        `server_ca_cert_path = "${caPath}"`,
      ].join('\n'),
    );
    const fromFile = loadClientConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(fromFile.temporal).toMatchObject({ address: 'temporal.prod:7233', namespace: 'kyc-prod' });
    expect(fromFile.temporal.connection.apiKey).toBe('from-file');
    const overridden = loadClientConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'other',
    });
    expect(overridden.temporal.namespace).toBe('other');
    // With an address from the profile, production needs no TEMPORAL_ADDRESS.
    expect(
      loadClientConfig({ NODE_ENV: 'production', TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }).temporal
        .address,
    ).toBe('temporal.prod:7233');
    expect(
      configError(() => loadClientConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).message,
    ).toBe("TEMPORAL_PROFILE: Temporal client configuration: Profile 'staging' not found in config data");
  });

  it.each([
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath }, 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath }, 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') }, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
    [{ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') }, 'TEMPORAL_CONFIG_FILE'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'],
  ])('names the variable of a mistake the library would pass over: %j', (env, variable) => {
    expect(configError(() => loadClientConfig(env)).variable).toBe(variable);
  });

  it("understands TEMPORAL_TLS the way our other booleans are written ('yes' is on)", () => {
    expect(loadClientConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS: 'yes' }).temporal.connection.tls).toBeTruthy();
    expect(
      loadClientConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS: 'false' }).temporal.connection.tls,
    ).toBeUndefined();
  });

  it('the client needs no provider settings with NODE_ENV=production; the worker does', () => {
    const [provider] = PROVIDERS;
    const env = { NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', KYC_PROVIDERS: provider! };
    expect(loadClientConfig(env).temporal).toMatchObject({ address: 'temporal:7233', taskQueue: 'kyc-verifications' });
    const refused = configError(() => loadConfig(env));
    expect(refused.message).toMatch(/: must be set/);
    expect(refused.variable.startsWith(`${provider!.toUpperCase()}_`)).toBe(true);
    expect(configError(() => loadClientConfig({ NODE_ENV: 'production' })).variable).toBe('TEMPORAL_ADDRESS');
  });

  it("kyc setup's retention check counts every registered provider when none is configured where it runs", () => {
    // As a platform engineer runs it: Temporal's settings only, in production, so no provider is enabled.
    const longest = longestVerificationLifetimeMs({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' });
    const policies = Object.values(loadConfig({ KYC_DEV_DEFAULTS: '1' }).providers).map((provider) => provider.policy);
    expect(policies).toHaveLength(PROVIDERS.length);
    expect(longest).toBe(Math.max(...policies.map(longestLifetime)));
  });

  it("kyc setup's retention check counts a provisional decision's review window (P_REVIEW_WINDOW)", () => {
    const [provider] = PROVIDERS;
    const prefix = provider!.toUpperCase();
    const env = { NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', KYC_PROVIDERS: provider! };
    const shortReview = { ...env, [`${prefix}_EXPIRES_AFTER`]: '1d', [`${prefix}_MAX_LIFETIME`]: '3d' };
    // A provisional decision just before the deadline holds the verification for the window, then a day.
    expect(longestVerificationLifetimeMs({ ...shortReview, [`${prefix}_REVIEW_WINDOW`]: '1h' })).toBe(3 * 86_400_000);
    expect(longestVerificationLifetimeMs({ ...shortReview, [`${prefix}_REVIEW_WINDOW`]: '60d' })).toBe(
      (1 + 60 + 1) * 86_400_000,
    );
  });
});
