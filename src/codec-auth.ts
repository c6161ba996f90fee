/**
 * Who may use the codec endpoint: the Web UI's users by the OIDC access token the UI forwards
 * (`passAccessToken`: `Authorization: Bearer <access token>`), verified against the identity
 * provider's keys, or other callers by a static bearer token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { CodecAuthSettings, CodecOidcSettings, RequiredClaim } from './config/codec';

export type CodecAuthOutcome =
  | { ok: true }
  /** 401: no credential, or one that does not verify. 503: the identity provider's keys cannot be had now. */
  | { ok: false; status: 401 | 503; error: 'unauthorized' | 'identity_provider_unavailable' };

export type CodecAuthenticator = (authorization: string | undefined) => Promise<CodecAuthOutcome>;

/**
 * Signature algorithms of public keys only: a JWKS holds public keys, so an HMAC (`HS256`) token
 * "signed" with one of them, or an unsigned one (`none`), must never pass.
 */
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** Clocks of the identity provider and of this host may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 30;
const FETCH_TIMEOUT_MS = 5000;

const UNAUTHORIZED: CodecAuthOutcome = { ok: false, status: 401, error: 'unauthorized' };
const UNAVAILABLE: CodecAuthOutcome = { ok: false, status: 503, error: 'identity_provider_unavailable' };

/** Builds the check for one codec endpoint. With neither a token nor OIDC configured, everyone passes. */
export function codecAuthenticator(settings: CodecAuthSettings): CodecAuthenticator {
  const { token, oidc } = settings;
  if (token === undefined && oidc === undefined) return () => Promise.resolve({ ok: true });
  const staticToken = token === undefined ? undefined : digest(token);
  const accessTokens = oidc ? new AccessTokenVerifier(oidc) : undefined;
  return async (authorization) => {
    const bearer = /^Bearer +(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!bearer) return UNAUTHORIZED;
    if (staticToken && timingSafeEqual(digest(bearer), staticToken)) return { ok: true };
    if (!accessTokens) return UNAUTHORIZED;
    const verdict = await accessTokens.verify(bearer);
    return verdict === 'valid' ? { ok: true } : verdict === 'invalid' ? UNAUTHORIZED : UNAVAILABLE;
  };
}

/** Whether a verified token's claims hold the required value (a scope is a space-separated list). */
function carries(payload: Record<string, unknown>, { name, value }: RequiredClaim): boolean {
  if (!Object.hasOwn(payload, name)) return false;
  const claim = payload[name];
  if (Array.isArray(claim)) return claim.includes(value);
  if (typeof claim !== 'string') return false;
  return claim === value || ((name === 'scope' || name === 'scp') && claim.split(' ').includes(value));
}

/** Equal-length digests, so the comparison takes the same time whatever the length of the guess. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The identity provider's keys could not be fetched: the caller may be fine, we cannot tell now. */
class KeysUnavailable extends Error {
  override name = 'KeysUnavailable';
}

/**
 * Verifies OIDC access tokens (JWTs): signature by a key of the identity provider's JWKS, `iss`,
 * `aud`, `exp` (required), `nbf`, and the claims the deployment requires. The JWKS is found by OpenID discovery unless configured, and
 * cached by jose (refetched at most every 30 s for a key ID it does not know).
 */
class AccessTokenVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly settings: CodecOidcSettings) {}

  async verify(token: string): Promise<'valid' | 'invalid' | 'unavailable'> {
    try {
      // Keys are looked up only for a well-formed token with an allowed algorithm: garbage never costs a fetch.
      const { payload } = await jwtVerify(token, async (header, jws) => (await this.keySet())(header, jws), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return (this.settings.requiredClaims ?? []).every((claim) => carries(payload, claim)) ? 'valid' : 'invalid';
    } catch (err) {
      return err instanceof KeysUnavailable ? 'unavailable' : 'invalid';
    }
  }

  /** The remote key set, with every failure to obtain keys (network, HTTP status, bad JSON) as {@link KeysUnavailable}. */
  private async keySet(): Promise<JWTVerifyGetKey> {
    // A failed discovery is not kept: the next request tries again.
    this.keys ??= this.discoverJwksUrl().then(
      (url) => {
        const remote = createRemoteJWKSet(url, { timeoutDuration: FETCH_TIMEOUT_MS });
        return async (header, token) => {
          try {
            return await remote(header, token);
          } catch (err) {
            // These say the token names a key the set does not have (after a refetch): its fault.
            if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
            throw new KeysUnavailable('the identity provider key set could not be read', { cause: err });
          }
        };
      },
      (err: unknown) => {
        this.keys = undefined;
        throw err;
      },
    );
    return this.keys;
  }

  private async discoverJwksUrl(): Promise<URL> {
    const { issuer, jwksUrl } = this.settings;
    if (jwksUrl) return new URL(jwksUrl);
    try {
      const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
        headers: { Accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // OpenID discovery: the document must name the very issuer it was fetched for.
      if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
        throw new Error('the discovery document names another issuer or no jwks_uri');
      }
      const url = new URL(document.jwks_uri);
      if (new URL(issuer).protocol === 'https:' && url.protocol !== 'https:') throw new Error('jwks_uri is not https');
      return url;
    } catch (err) {
      throw new KeysUnavailable('OpenID discovery failed', { cause: err });
    }
  }
}
