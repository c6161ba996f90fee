import {
  classifyStatus,
  isSameOrigin,
  MAX_RESPONSE_BYTES,
  requestJson,
  ProviderCallError,
} from '../../src/providers/http';
import { TokenCache, withFreshTokenOn401 } from '../../src/providers/token-cache';
import express from 'express';
import { withCallSignal } from '../../src/providers/call-signal';
import { serveOnLoopback } from '../../src/testing/simulator-http';
import { startHangingProvider, type HangingProvider } from '../support/hanging-provider';
import { retryAfterMs } from '../../src/http/retry-after';

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
    expect(
      isSameOrigin('https://retrieval.eu-1.provider.example/api/v1/x', 'https://retrieval.eu-1.provider.example'),
    ).toBe(true);
    expect(isSameOrigin('https://evil.example/api/v1/x', 'https://retrieval.eu-1.provider.example')).toBe(false);
    expect(
      isSameOrigin('https://retrieval.eu-1.provider.example.evil.example/', 'https://retrieval.eu-1.provider.example'),
    ).toBe(false);
    expect(isSameOrigin('http://retrieval.eu-1.provider.example/', 'https://retrieval.eu-1.provider.example')).toBe(
      false,
    );
    expect(isSameOrigin('not a url', 'https://retrieval.eu-1.provider.example')).toBe(false);
  });

  it('reads an answer as untrusted JSON: a prototype key never reaches the validators', async () => {
    const app = express();
    // A compromised or intercepted provider API is outside input like a callback.
    app.get('/forged', (_req, res) => void res.type('json').send('{"decision":{"__proto__":{"type":"PASSED"}}}'));
    const server = await serveOnLoopback(app);
    try {
      const { body } = await requestJson({ what: 't', url: `${server.url}/forged` });
      const decision = (body as { decision: object }).decision;
      expect(Object.hasOwn(decision, '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(decision)).toBe(Object.prototype);
    } finally {
      await server.close();
    }
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

describe('a 2xx whose body does not arrive whole', () => {
  let provider: HangingProvider;
  afterEach(() => provider?.close());

  /** Headers and the first half of a JSON body; then `finish` (e.g. reset the connection). */
  function halfAnswer(finish: 'reset' | 'stall') {
    return startHangingProvider((req, res) => {
      req.resume();
      const body = JSON.stringify({ workflowExecution: { status: 'PROCESSED' } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.slice(0, body.length / 2));
      if (finish === 'reset') setTimeout(() => res.socket?.destroy(), 50);
      return true;
    });
  }

  it('is an outage (retried) when the connection is reset mid-body, not a bad response', async () => {
    provider = await halfAnswer('reset');
    const err = await requestJson({ what: 'provider status', url: `${provider.url}/status` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err).toMatchObject({
      failureType: 'ProviderUnavailable',
      httpStatus: 200,
      message: 'provider status: response cut off (connection lost)',
    });
  });

  it('is an outage when the call ends mid-body, and the connection is closed', async () => {
    provider = await halfAnswer('stall');
    const err = await requestJson({ what: 'provider status', url: `${provider.url}/status`, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      failureType: 'ProviderUnavailable',
      message: 'provider status: response cut off (timed out)',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(provider.open()).toBe(0);
  });
});

describe('a 2xx larger than any provider answer', () => {
  let provider: HangingProvider;
  afterEach(() => provider?.close());

  /** A JSON answer of `bytes` bytes, its length declared or sent in chunks; how many bytes left the server. */
  async function hugeAnswer(
    bytes: number,
    declared: boolean,
  ): Promise<{ provider: HangingProvider; sent: () => number }> {
    let sent = 0;
    const started = await startHangingProvider((req, res) => {
      req.resume();
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(declared ? { 'content-length': String(bytes) } : {}),
      });
      // A string of `bytes` bytes in 64 KiB chunks, each written once the last drained.
      const chunk = 'x'.repeat(65_536);
      const write = () => {
        while (sent < bytes) {
          const piece = sent === 0 ? `"${chunk.slice(1)}` : chunk.slice(0, Math.min(chunk.length, bytes - sent));
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('error', () => undefined);
      write();
      return true;
    });
    return { provider: started, sent: () => sent };
  }

  it.each([
    ['declared', true],
    ['chunked', false],
  ])('is a bad response (%s), never read whole into memory', async (_how, declared) => {
    const bytes = 4 * MAX_RESPONSE_BYTES;
    const answer = await hugeAnswer(bytes, declared);
    provider = answer.provider;
    const err = await requestJson({ what: 'provider status', url: `${provider.url}/status` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err).toMatchObject({
      failureType: 'ProviderBadResponse',
      httpStatus: 200,
      message: `provider status: response over ${MAX_RESPONSE_BYTES} bytes`,
    });
    // The reader stopped at the limit: the server could not send the rest.
    expect(answer.sent()).toBeLessThan(bytes);
  });

  it('reads an answer under the limit as before, a byte-order mark dropped', async () => {
    const app = express();
    app.get('/status', (_req, res) => void res.type('application/json').send('\uFEFF{"status":"PROCESSED"}'));
    const server = await serveOnLoopback(app);
    try {
      const answer = await requestJson({ what: 'provider status', url: `${server.url}/status` });
      expect(answer.body).toEqual({ status: 'PROCESSED' });
    } finally {
      await server.close();
    }
  });
});

describe('requestJson under the signal of the call in progress', () => {
  it('aborts the request when the call ends, and says it was cancelled', async () => {
    const provider = await startHangingProvider();
    try {
      const call = new AbortController();
      const request = withCallSignal(call.signal, () => requestJson({ what: 'provider process', url: provider.url }));
      const failed = request.catch((e: unknown) => e);
      while (provider.open() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      call.abort(new Error('activity cancelled'));
      expect(await failed).toMatchObject({
        failureType: 'ProviderUnavailable',
        message: 'provider process: cancelled',
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.open()).toBe(0);
      // A call that has already ended sends nothing more.
      const after = await withCallSignal(call.signal, () => requestJson({ what: 'x', url: provider.url })).catch(
        (e: unknown) => e,
      );
      expect(after).toMatchObject({ failureType: 'ProviderUnavailable' });
      expect(provider.received).toHaveLength(1);
    } finally {
      await provider.close();
    }
  });
});

describe('TokenCache when calls end while the token is being fetched', () => {
  it('lets a call stop waiting at once, and aborts the token request only when no call waits for it', async () => {
    const provider = await startHangingProvider();
    try {
      const cache = new TokenCache(async () => {
        await requestJson({ what: 'provider token', url: `${provider.url}/oauth2/token` });
        return { token: 't', expiresInSeconds: 3600 };
      });
      const first = new AbortController();
      const second = new AbortController();
      const waitFirst = withCallSignal(first.signal, () => cache.get()).catch((e: unknown) => e);
      const waitSecond = withCallSignal(second.signal, () => cache.get()).catch((e: unknown) => e);
      while (provider.open() === 0) await new Promise((resolve) => setTimeout(resolve, 10));

      // The first call ends: it stops waiting, the token request goes on for the second.
      first.abort(new Error('cancelled'));
      expect(await waitFirst).toMatchObject({ failureType: 'ProviderUnavailable' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.open()).toBe(1);

      // The last one ends: nobody needs the token, its request is aborted.
      second.abort(new Error('cancelled'));
      expect(await waitSecond).toMatchObject({ failureType: 'ProviderUnavailable' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.open()).toBe(0);
      // One token request for both calls.
      expect(provider.received).toHaveLength(1);
    } finally {
      await provider.close();
    }
  });
});
