/** The codec endpoint's configuration: never open in production, loopback unless told otherwise. */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/app-config';
import { loadCodecServerConfig } from '../../src/config/codec';

const key = randomBytes(32).toString('base64');
const production = { NODE_ENV: 'production', KYC_PAYLOAD_KEY: key };
const longToken = 'codec-token-for-scripts-0123456789abcdef';

function refusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadCodecServerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('codec endpoint configuration', () => {
  it('refuses to start in production without auth, in one line naming the variable', () => {
    const err = refusal(production);
    expect(err.variable).toBe('KYC_CODEC_AUTH');
    expect(err.message).toMatch(/^KYC_CODEC_AUTH: .*KYC_CODEC_OIDC_ISSUER.*NODE_ENV=production/);
    expect(err.message).not.toContain('\n');
  });

  it('binds loopback unless told, and keeps /encode off unless asked', () => {
    const config = loadCodecServerConfig({ ...production, KYC_CODEC_AUTH: longToken });
    expect(config.codec).toMatchObject({ host: '127.0.0.1', port: 8089, allowEncode: false });
    expect(config.codec.auth).toEqual({ token: longToken });
    const container = loadCodecServerConfig({
      ...production,
      KYC_CODEC_AUTH: longToken,
      KYC_CODEC_HOST: '0.0.0.0',
      KYC_CODEC_ALLOW_ENCODE: 'true',
    });
    expect(container.codec).toMatchObject({ host: '0.0.0.0', allowEncode: true });
  });

  it('accepts an OIDC issuer with its audience', () => {
    const config = loadCodecServerConfig({
      ...production,
      KYC_CODEC_OIDC_ISSUER: 'https://login.example.com/realms/ops/',
      KYC_CODEC_OIDC_AUDIENCE: 'temporal-ui,codec',
    });
    // The issuer exactly as the provider writes it into `iss`, trailing slash included.
    expect(config.codec.auth).toEqual({
      oidc: { issuer: 'https://login.example.com/realms/ops/', audience: ['temporal-ui', 'codec'] },
    });
  });

  it('reads the claims a token must also carry, all of them', () => {
    const config = loadCodecServerConfig({
      ...production,
      KYC_CODEC_OIDC_ISSUER: 'https://login.example.com',
      KYC_CODEC_OIDC_AUDIENCE: 'ui',
      KYC_CODEC_OIDC_REQUIRED_CLAIMS: 'groups=kyc-operators, scope=kyc:decode',
    });
    expect(config.codec.auth.oidc?.requiredClaims).toEqual([
      { name: 'groups', value: 'kyc-operators' },
      { name: 'scope', value: 'kyc:decode' },
    ]);
  });

  it.each([
    [{ KYC_CODEC_AUTH: 'short' }, 'KYC_CODEC_AUTH'],
    [{ KYC_CODEC_OIDC_ISSUER: 'https://login.example.com' }, 'KYC_CODEC_OIDC_AUDIENCE'],
    [{ KYC_CODEC_OIDC_AUDIENCE: 'temporal-ui' }, 'KYC_CODEC_OIDC_ISSUER'],
    [{ KYC_CODEC_OIDC_ISSUER: 'http://login.example.com', KYC_CODEC_OIDC_AUDIENCE: 'ui' }, 'KYC_CODEC_OIDC_ISSUER'],
    [
      {
        KYC_CODEC_OIDC_ISSUER: 'https://login.example.com',
        KYC_CODEC_OIDC_AUDIENCE: 'ui',
        KYC_CODEC_OIDC_JWKS_URL: 'http://login.example.com/keys',
      },
      'KYC_CODEC_OIDC_JWKS_URL',
    ],
    [
      {
        KYC_CODEC_OIDC_ISSUER: 'https://login.example.com',
        KYC_CODEC_OIDC_AUDIENCE: 'ui',
        KYC_CODEC_OIDC_REQUIRED_CLAIMS: 'groups',
      },
      'KYC_CODEC_OIDC_REQUIRED_CLAIMS',
    ],
    [{ KYC_CODEC_AUTH: longToken, KYC_CODEC_OIDC_REQUIRED_CLAIMS: 'groups=kyc-operators' }, 'KYC_CODEC_OIDC_ISSUER'],
    [{ KYC_CODEC_AUTH: longToken, KYC_CODEC_HOST: 'every interface' }, 'KYC_CODEC_HOST'],
    [{ KYC_CODEC_AUTH: longToken, KYC_CODEC_ALLOW_ENCODE: 'sometimes' }, 'KYC_CODEC_ALLOW_ENCODE'],
  ])('refuses %j in production, naming %s', (env, variable) => {
    expect(refusal({ ...production, ...env }).variable).toBe(variable);
  });

  it('needs the payload key: without it there is nothing to decode', () => {
    expect(refusal({ KYC_CODEC_AUTH: longToken }).variable).toBe('KYC_PAYLOAD_KEY');
  });

  it('lets development run open (npm start), and the worker ignore codec auth', () => {
    expect(loadCodecServerConfig({ KYC_PAYLOAD_KEY: key }).codec.auth).toEqual({});
    expect(loadConfig({ KYC_DEV_DEFAULTS: '1' }).codec).toMatchObject({
      host: '127.0.0.1',
      auth: {},
      allowEncode: false,
    });
  });
});
