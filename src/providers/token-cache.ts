import { callSignal, withCallSignal } from './call-signal';
import { ProviderFailure } from '../verification/provider-failure';
import { ProviderCallError } from './http';

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the provider stated it. */
  expiresInSeconds: number;
}

/** The one token request in flight, shared by every call waiting for it. */
interface PendingToken {
  token: Promise<string>;
  /** Aborts the request: once every call waiting for it has given up. */
  abandon: AbortController;
  waiting: number;
}

/**
 * Caches one provider access token until shortly before it expires, and fetches a new one once
 * even when many calls ask at the same moment (token endpoints are rate limited). A call that
 * ends (its activity's deadline or cancellation, {@link callSignal}) stops waiting at once; the
 * token request itself is aborted when no call waits for it any more.
 */
export class TokenCache {
  private current?: { token: string; refreshAt: number };
  private pending?: PendingToken;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    /** Refresh this long before expiry, so a token never expires mid-request. */
    private readonly marginMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    return this.waitFor(this.pending ?? this.request(), callSignal());
  }

  /** Forget the token (the provider answered 401): the next call fetches a fresh one. */
  invalidate(): void {
    this.current = undefined;
  }

  private request(): PendingToken {
    const abandon = new AbortController();
    const pending: PendingToken = {
      abandon,
      waiting: 0,
      // Under its own signal, not the first caller's: the token is for every caller.
      token: withCallSignal(abandon.signal, this.issue)
        .then(({ token, expiresInSeconds }) => {
          const lifetime = expiresInSeconds * 1000;
          this.current = { token, refreshAt: this.now() + Math.max(lifetime - this.marginMs, lifetime / 2) };
          return token;
        })
        .finally(() => {
          if (this.pending === pending) this.pending = undefined;
        }),
    };
    this.pending = pending;
    return pending;
  }

  private waitFor(pending: PendingToken, signal: AbortSignal | undefined): Promise<string> {
    pending.waiting += 1;
    // A caller without a signal waits for as long as the request takes (its own cap bounds it).
    if (!signal) return pending.token;
    return new Promise<string>((resolve, reject) => {
      const giveUp = () => {
        pending.waiting -= 1;
        if (pending.waiting === 0) pending.abandon.abort(signal.reason);
        reject(
          new ProviderCallError(ProviderFailure.Unavailable, 'provider token: the call ended while waiting for it'),
        );
      };
      if (signal.aborted) return giveUp();
      signal.addEventListener('abort', giveUp, { once: true });
      void pending.token.then(resolve, reject).finally(() => signal.removeEventListener('abort', giveUp));
    });
  }
}

/**
 * Runs an authenticated call; on 401 (the token was revoked or rotated early) refreshes the
 * token once and tries again.
 */
export async function withFreshTokenOn401<T>(
  cache: TokenCache,
  call: (token: string) => Promise<T>,
  isUnauthorized: (err: unknown) => boolean,
): Promise<T> {
  try {
    return await call(await cache.get());
  } catch (err) {
    if (!isUnauthorized(err)) throw err;
    cache.invalidate();
    return call(await cache.get());
  }
}
