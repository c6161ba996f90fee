import { isIP } from 'node:net';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../logger';
import { ConfigError, EnvReader } from './env-reader';
import { readTemporalSettings, type TemporalSettings } from './temporal';

/** The identity provider whose access tokens the Web UI passes (`passAccessToken`). */
export interface CodecOidcSettings {
  /** The `iss` of its tokens, exactly as the provider writes it (a trailing slash matters). */
  issuer: string;
  /** Accepted `aud` values: the API the UI's tokens are issued for. */
  audience: string[];
  /** Its JSON Web Key Set; unset: `jwks_uri` from the issuer's `.well-known/openid-configuration`. */
  jwksUrl?: string;
  /**
   * Claims a token must also carry, all of them (e.g. `groups` holding `kyc-operators`): without
   * any, every user the identity provider issues UI tokens to may decrypt the payloads.
   */
  requiredClaims?: RequiredClaim[];
}

/** A claim equal to `value`, or a list (or, for `scope`/`scp`, a space-separated string) holding it. */
export interface RequiredClaim {
  name: string;
  value: string;
}

/** Who may call /decode and /encode. Neither set: anyone (development only; refused in production). */
export interface CodecAuthSettings {
  /** A static bearer token, for callers other than the Web UI (`temporal --codec-auth`, scripts). */
  token?: string;
  /** The Web UI's users, by the OIDC access token the UI forwards. */
  oidc?: CodecOidcSettings;
}

/** The codec endpoint that lets the Temporal Web UI decrypt payloads (`src/codec-server.ts`). */
export interface CodecConfig {
  /** Interface it binds; loopback unless set (a container sets 0.0.0.0). */
  host: string;
  port: number;
  auth: CodecAuthSettings;
  /** Whether /encode answers: it turns any payload into one the workers accept as ours. */
  allowEncode: boolean;
  /** The Web UI's origins, allowed by CORS. */
  corsOrigins: string[];
}

/** A static token shorter than this is refused in production (`openssl rand -base64 32` gives 44). */
const MIN_PRODUCTION_TOKEN_LENGTH = 24;

export function readCodecConfig(read: EnvReader, production: boolean): CodecConfig {
  const host = read.string('KYC_CODEC_HOST', '127.0.0.1');
  if (!isIP(host) && host !== 'localhost') {
    throw new ConfigError(
      'KYC_CODEC_HOST',
      `'${host}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 in a container)`,
    );
  }
  const token = read.string('KYC_CODEC_AUTH');
  if (token !== undefined && production && token.length < MIN_PRODUCTION_TOKEN_LENGTH) {
    throw new ConfigError(
      'KYC_CODEC_AUTH',
      `must be at least ${MIN_PRODUCTION_TOKEN_LENGTH} characters when NODE_ENV=production (openssl rand -base64 32)`,
    );
  }
  const oidc = readOidc(read, production);
  return {
    host,
    port: read.port('KYC_CODEC_PORT', 8089),
    auth: { ...(token !== undefined ? { token } : {}), ...(oidc ? { oidc } : {}) },
    allowEncode: read.boolean('KYC_CODEC_ALLOW_ENCODE', false),
    corsOrigins: read.list('KYC_CODEC_CORS_ORIGIN', ''),
  };
}

function readOidc(read: EnvReader, production: boolean): CodecOidcSettings | undefined {
  const issuer = read.string('KYC_CODEC_OIDC_ISSUER');
  const audience = read.list('KYC_CODEC_OIDC_AUDIENCE', '');
  const jwksUrl = read.string('KYC_CODEC_OIDC_JWKS_URL');
  const requiredClaims = read.list('KYC_CODEC_OIDC_REQUIRED_CLAIMS', '').map(readRequiredClaim);
  if (issuer === undefined) {
    if (requiredClaims.length > 0) {
      throw new ConfigError('KYC_CODEC_OIDC_ISSUER', 'must be set with KYC_CODEC_OIDC_REQUIRED_CLAIMS');
    }
    if (audience.length > 0) throw new ConfigError('KYC_CODEC_OIDC_ISSUER', 'must be set with KYC_CODEC_OIDC_AUDIENCE');
    if (jwksUrl !== undefined)
      throw new ConfigError('KYC_CODEC_OIDC_ISSUER', 'must be set with KYC_CODEC_OIDC_JWKS_URL');
    return undefined;
  }
  // Without an audience, a token the identity provider issued for any other application would do.
  if (audience.length === 0) {
    throw new ConfigError(
      'KYC_CODEC_OIDC_AUDIENCE',
      'must be set with KYC_CODEC_OIDC_ISSUER (the aud of the access tokens)',
    );
  }
  requireUrl('KYC_CODEC_OIDC_ISSUER', issuer, production);
  if (jwksUrl !== undefined) requireUrl('KYC_CODEC_OIDC_JWKS_URL', jwksUrl, production);
  return {
    issuer,
    audience,
    ...(jwksUrl !== undefined ? { jwksUrl } : {}),
    ...(requiredClaims.length > 0 ? { requiredClaims } : {}),
  };
}

/** `name=value`, e.g. `groups=kyc-operators` or `scope=kyc:decode`. */
function readRequiredClaim(entry: string): RequiredClaim {
  const match = /^([A-Za-z0-9_:./-]+)=(\S+)$/.exec(entry);
  if (!match) {
    throw new ConfigError(
      'KYC_CODEC_OIDC_REQUIRED_CLAIMS',
      `'${entry}' is not name=value (e.g. groups=kyc-operators; several separated by commas, all required)`,
    );
  }
  return { name: match[1]!, value: match[2]! };
}

/** Keys fetched over plain HTTP could be swapped on the way: https only in production. */
function requireUrl(variable: string, value: string, production: boolean): void {
  const protocol = production ? /^https$/ : /^https?$/;
  if (!z.url({ protocol }).safeParse(value).success) {
    throw new ConfigError(variable, `'${value}' is not an ${production ? 'https' : 'http(s)'} URL`);
  }
}

/** Whether anyone at all is kept out. */
export function codecAuthConfigured(auth: CodecAuthSettings): boolean {
  return auth.token !== undefined || auth.oidc !== undefined;
}

/**
 * The codec endpoint decrypts every verification's data for whoever calls it: in production it
 * does not start open. Called by every process that serves it (not by the worker or ingress).
 */
export function requireCodecAuth(production: boolean, codec: CodecConfig): void {
  if (production && !codecAuthConfigured(codec.auth)) {
    throw new ConfigError(
      'KYC_CODEC_AUTH',
      'the codec endpoint needs KYC_CODEC_AUTH or KYC_CODEC_OIDC_ISSUER when NODE_ENV=production: it decrypts every payload',
    );
  }
}

/** What the codec endpoint alone needs: the payload keys and its own settings, no provider configuration. */
export interface CodecServerConfig {
  production: boolean;
  temporal: Pick<TemporalSettings, 'payloadKey' | 'payloadOldKeys'>;
  codec: CodecConfig;
  logLevel: LogLevel;
}

/** Parses the codec endpoint's environment once; throws {@link ConfigError} naming the variable. */
export function loadCodecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const read = new EnvReader(env);
  const production = read.string('NODE_ENV') === 'production';
  const { payloadKey, payloadOldKeys } = readTemporalSettings(read);
  if (!payloadKey) throw new ConfigError('KYC_PAYLOAD_KEY', 'must be set: without it there is nothing to decode');
  const codec = readCodecConfig(read, production);
  requireCodecAuth(production, codec);
  const logLevel = read.enumOf('LOG_LEVEL', LOG_LEVELS, 'info');
  return Object.freeze({ production, temporal: { payloadKey, payloadOldKeys }, codec, logLevel });
}
