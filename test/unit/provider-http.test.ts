import { classifyStatus, isSameOrigin, retryAfterMs, requestJson, ProviderCallError } from '../../src/providers/http';
import { TokenCache, withFreshTokenOn401 } from '../../src/providers/token-cache';
import express from 'express';
import { serveOnLoopback } from '../../src/simulators/http';

describe('provider HTTP classification', () => {
  it.each([
    [404, 'ProviderNotReady'],
    [401, 'ProviderAuthRejected'],
    [403, 'ProviderAuthRejected'],
    [429, 'ProviderRateLimited'],
    [408, 'ProviderUnavailable'],
    [500, 'ProviderUnavailable'],
    [503, 'ProviderUnavailable'],
    [400, 'ProviderRequestRejected'],
    [422, 'ProviderRequestRejected'],
  ])('HTTP %i → %s', (status, type) => {
    expect(classifyStatus(status)).toBe(type);
  });

  it('reads Retry-After as seconds or a date, capped at an hour', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(10_000 + 30_000).toUTCString(), 10_000)).toBeGreaterThan(28_000);
    expect(retryAfterMs('999999')).toBe(3_600_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('allows server-side requests only to the configured origin', () => {
    expect(isSameOrigin('https://retrieval.amer-1.jumio.ai/api/v1/x', 'https://retrieval.amer-1.jumio.ai')).toBe(true);
    expect(isSameOrigin('https://evil.example/api/v1/x', 'https://retrieval.amer-1.jumio.ai')).toBe(false);
    expect(isSameOrigin('https://retrieval.amer-1.jumio.ai.evil.example/', 'https://retrieval.amer-1.jumio.ai')).toBe(
      false,
    );
    expect(isSameOrigin('http://retrieval.amer-1.jumio.ai/', 'https://retrieval.amer-1.jumio.ai')).toBe(false);
    expect(isSameOrigin('not a url', 'https://retrieval.amer-1.jumio.ai')).toBe(false);
  });

  it('classifies real HTTP answers and never puts the response body into the error', async () => {
    const app = express();
    app.get('/ok', (_req, res) => void res.json({ fine: true }));
    app.get('/busy', (_req, res) => void res.set('Retry-After', '3').status(429).json({ name: 'Jane Doe' }));
    app.get('/html', (_req, res) => void res.type('html').send('<html>'));
    const server = await serveOnLoopback(app);
    try {
      await expect(requestJson({ what: 't', url: `${server.url}/ok` })).resolves.toEqual({
        status: 200,
        body: { fine: true },
        // The bytes as received, for signatures over the provider's own serialisation.
        text: '{"fine":true}',
      });
      const busy = await requestJson({ what: 'test busy', url: `${server.url}/busy` }).catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(ProviderCallError);
      expect(busy).toMatchObject({
        failureType: 'ProviderRateLimited',
        retryAfterMs: 3000,
        message: 'test busy: HTTP 429',
      });
      await expect(requestJson({ what: 't', url: `${server.url}/html` })).rejects.toMatchObject({
        failureType: 'ProviderBadResponse',
      });
    } finally {
      await server.close();
    }
    await expect(requestJson({ what: 'gone', url: server.url, timeoutMs: 1000 })).rejects.toMatchObject({
      failureType: 'ProviderUnavailable',
      message: 'gone: could not connect',
    });
  });
});

describe('TokenCache', () => {
  it('reuses a token until shortly before expiry and fetches once for concurrent callers', async () => {
    let now = 0;
    let issued = 0;
    const cache = new TokenCache(
      async () => ({ token: `t${++issued}`, expiresInSeconds: 240 }),
      60_000,
      () => now,
    );
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['t1', 't1', 't1']);
    now = 179_000;
    expect(await cache.get()).toBe('t1');
    now = 181_000;
    expect(await cache.get()).toBe('t2');
    expect(issued).toBe(2);
  });

  it('refreshes once on 401 and retries the call', async () => {
    let issued = 0;
    const cache = new TokenCache(async () => ({ token: `t${++issued}`, expiresInSeconds: 3600 }));
    const seen: string[] = [];
    const result = await withFreshTokenOn401(
      cache,
      async (token) => {
        seen.push(token);
        if (token === 't1') throw new ProviderCallError('ProviderAuthRejected', 'x', 401);
        return 'ok';
      },
      (err) => err instanceof ProviderCallError && err.httpStatus === 401,
    );
    expect(result).toBe('ok');
    expect(seen).toEqual(['t1', 't2']);
  });
});
