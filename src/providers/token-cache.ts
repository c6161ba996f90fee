export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the provider stated it. */
  expiresInSeconds: number;
}

/**
 * Caches one provider access token until shortly before it expires, and fetches a new one once
 * even when many calls ask at the same moment (token endpoints are rate limited).
 */
export class TokenCache {
  private current?: { token: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    /** Refresh this long before expiry, so a token never expires mid-request. */
    private readonly marginMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    this.pending ??= this.issue()
      .then(({ token, expiresInSeconds }) => {
        const lifetime = expiresInSeconds * 1000;
        this.current = { token, refreshAt: this.now() + Math.max(lifetime - this.marginMs, lifetime / 2) };
        return token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forget the token (the provider answered 401): the next call fetches a fresh one. */
  invalidate(): void {
    this.current = undefined;
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
