/**
 * The codec endpoint accepts what the Temporal Web UI sends with `passAccessToken`: the user's
 * OIDC access token as `Authorization: Bearer <jwt>`, verified against the identity provider's
 * JWKS, served here by a real HTTP server on loopback, with tokens signed by real keys.
 */
import express from 'express';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import request from 'supertest';
import { createCodecServer } from '../../src/codec-server';
import type { CodecAuthSettings } from '../../src/app-config';
import { serveOnLoopback, type RunningSimulator } from '../../src/testing/simulator-http';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { randomBytes } from 'node:crypto';

const AUDIENCE = 'temporal-ui-codec';
const codec = new EncryptionCodec(randomBytes(32));

/** An identity provider: discovery document and JWKS; `available` false answers 500 to both. */
class IdentityProvider {
  available = true;
  jwksFetches = 0;
  private server?: RunningSimulator;

  constructor(private readonly keys: object[]) {}

  get issuer(): string {
    return this.server!.url;
  }

  async start(): Promise<void> {
    const app = express();
    app.use((_req, res, next) => (this.available ? next() : void res.status(500).json({ error: 'down' })));
    app.get('/.well-known/openid-configuration', (_req, res) => {
      res.json({ issuer: this.issuer, jwks_uri: `${this.issuer}/keys` });
    });
    app.get('/keys', (_req, res) => {
      this.jwksFetches += 1;
      res.json({ keys: this.keys });
    });
    this.server = await serveOnLoopback(app);
  }

  close(): Promise<void> {
    return this.server!.close();
  }
}

describe('codec endpoint with the Web UI’s OIDC access tokens', () => {
  let signing: { privateKey: CryptoKey; publicKey: CryptoKey };
  let stranger: { privateKey: CryptoKey; publicKey: CryptoKey };
  let idp: IdentityProvider;

  beforeAll(async () => {
    signing = await generateKeyPair('RS256', { extractable: true });
    stranger = await generateKeyPair('RS256', { extractable: true });
    idp = new IdentityProvider([{ ...(await exportJWK(signing.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }]);
    await idp.start();
  });
  afterAll(() => idp?.close());

  function server(auth: CodecAuthSettings) {
    return createCodecServer({ codec, keyIds: codec.keyIds, auth });
  }
  const oidc = (overrides: Partial<NonNullable<CodecAuthSettings['oidc']>> = {}): CodecAuthSettings => ({
    oidc: { issuer: idp.issuer, audience: [AUDIENCE], ...overrides },
  });

  function token(
    claims: JWTPayload = {},
    { key = signing.privateKey, kid = 'idp-1' }: { key?: CryptoKey; kid?: string } = {},
  ): Promise<string> {
    return new SignJWT({ sub: 'operator@example.com', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(claims.iss ?? idp.issuer)
      .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  }

  async function decodeWith(app: ReturnType<typeof server>, bearer: string | undefined) {
    const req = request(app).post('/decode').set('X-Namespace', 'default');
    if (bearer !== undefined) req.set('Authorization', `Bearer ${bearer}`);
    return req.send({ payloads: [] });
  }

  it('lets a valid access token through, found by OpenID discovery or a configured JWKS URL', async () => {
    expect((await decodeWith(server(oidc()), await token())).status).toBe(200);
    expect((await decodeWith(server(oidc({ jwksUrl: `${idp.issuer}/keys` })), await token())).status).toBe(200);
  });

  it('refuses expired, foreign-issuer, foreign-audience and unknown-key tokens with 401', async () => {
    const app = server(oidc());
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      expired: await token({ exp: now - 600 }),
      'another issuer': await token({ iss: 'https://evil.example' }),
      'another audience': await token({ aud: 'some-other-app' }),
      'a key the JWKS does not have': await token({}, { key: stranger.privateKey, kid: 'stranger' }),
      'a key the JWKS does not have, under its key ID': await token({}, { key: stranger.privateKey }),
    };
    for (const [what, jwt] of Object.entries(refused)) {
      const res = await decodeWith(app, jwt);
      expect({ what, status: res.status, body: res.body }).toEqual({
        what,
        status: 401,
        body: { error: 'unauthorized' },
      });
    }
  });

  it('refuses unsigned (alg none) tokens and HS256 tokens keyed with the public key', async () => {
    const app = server(oidc());
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: idp.issuer, aud: AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 300 };
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    // Algorithm confusion: the public key (which anyone can fetch) used as an HMAC secret.
    const publicPem = await exportSPKI(signing.publicKey);
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' })
      .sign(new TextEncoder().encode(publicPem));
    const publicJwk = JSON.stringify(await exportJWK(signing.publicKey));
    const confusedJwk = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' })
      .sign(new TextEncoder().encode(publicJwk));
    for (const jwt of [unsigned, confused, confusedJwk, 'not-a-jwt', '']) {
      expect((await decodeWith(app, jwt)).status).toBe(401);
    }
    expect((await decodeWith(app, undefined)).status).toBe(401);
  });

  it('answers 503, never 200, while the identity provider cannot be reached, and recovers', async () => {
    const jwt = await token();
    const down = new IdentityProvider([]);
    await down.start();
    const gone = down.issuer;
    await down.close();
    for (const auth of [oidc({ issuer: gone }), oidc({ jwksUrl: `${gone}/keys` })]) {
      const res = await decodeWith(server(auth), jwt);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    }

    const app = server(oidc());
    idp.available = false;
    try {
      expect((await decodeWith(app, jwt)).status).toBe(503);
    } finally {
      idp.available = true;
    }
    // A failed discovery is not remembered: the next request succeeds.
    expect((await decodeWith(app, jwt)).status).toBe(200);
  });

  it('lets through only tokens carrying every required claim, when the deployment requires some', async () => {
    const app = server(
      oidc({
        requiredClaims: [
          { name: 'groups', value: 'kyc-operators' },
          { name: 'scope', value: 'kyc:decode' },
        ],
      }),
    );
    const both = { groups: ['staff', 'kyc-operators'], scope: 'openid kyc:decode' };
    expect((await decodeWith(app, await token(both))).status).toBe(200);
    for (const claims of [
      {},
      { groups: ['staff'], scope: both.scope },
      { groups: both.groups },
      { groups: both.groups, scope: 'openid kyc:decode-all' },
      // A group is a list entry or the whole value, never a word of a longer one.
      { groups: 'staff kyc-operators', scope: both.scope },
      { groups: { 'kyc-operators': true }, scope: both.scope },
    ]) {
      expect({ claims, status: (await decodeWith(app, await token(claims))).status }).toEqual({ claims, status: 401 });
    }
    expect((await decodeWith(app, await token({ groups: 'kyc-operators', scope: both.scope }))).status).toBe(200);
  });

  it('takes the static token as well, for callers other than the UI', async () => {
    const app = server({ token: 'static-token-for-scripts', ...oidc() });
    expect((await decodeWith(app, 'static-token-for-scripts')).status).toBe(200);
    expect((await decodeWith(app, await token())).status).toBe(200);
    expect((await decodeWith(app, 'static-token-for-script')).status).toBe(401);
  });

  it('fetches no keys for a token that is malformed or names a refused algorithm', async () => {
    const app = server(oidc({ jwksUrl: `${idp.issuer}/keys` }));
    const before = idp.jwksFetches;
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const jwt of [
      'garbage',
      `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`,
      `${b64({ alg: 'HS256' })}.e30.c2ln`,
    ]) {
      expect((await decodeWith(app, jwt)).status).toBe(401);
    }
    expect(idp.jwksFetches).toBe(before);
  });
});
