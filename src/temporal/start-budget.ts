/** What {@link StartBudget.mayStart} answers: a truthy grant, or false. */
export type StartGrant = 'known' | 'granted' | false;

/** Workflow IDs remembered as existing: a few hundred KB at most. */
const KNOWN_CAPACITY = 10_000;

/**
 * How many workflows (verifications and dead letters) callbacks may start, per provider per
 * minute, in this ingress process: a token bucket per provider, full at start, refilled evenly.
 *
 * A callback cannot tell in advance whether its verification exists, so the question asked is
 * "may this hand-over start one?". A workflow this process has already handed something to is
 * known to exist and costs nothing; any other costs a token, even when it turns out to exist
 * (the app started it). Without a token the caller only signals, so an existing verification is
 * never refused; only a callback that would start one waits for the next token.
 *
 * Per process: with N ingress replicas the bound is N times this. It is a bound on what one
 * credential holder can add per minute, not a quota shared by the cluster.
 */
export class StartBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly known = new Map<string, true>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether `workflowId` may be started now: `known` (it exists; nothing taken), `granted` (a
   * token was taken for it: {@link giveBack} it if the start then fails), or false.
   */
  mayStart(provider: string, workflowId: string): StartGrant {
    if (this.known.has(workflowId)) return 'known';
    const bucket = this.refilled(provider);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return 'granted';
  }

  /** A granted start that did not happen (Temporal unreachable, or the verification had closed). */
  giveBack(provider: string): void {
    const bucket = this.refilled(provider);
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + 1);
  }

  /** Whether a start would be granted now (takes nothing): lets the inbox drainer skip what must still wait. */
  hasToken(provider: string): boolean {
    return this.refilled(provider).tokens >= 1;
  }

  /** A hand-over to `workflowId` succeeded: it exists, and later ones need no token. */
  noteExists(workflowId: string): void {
    this.known.delete(workflowId);
    this.known.set(workflowId, true);
    if (this.known.size > KNOWN_CAPACITY) this.known.delete(this.known.keys().next().value!);
  }

  /** Whole seconds until the provider's next token (at least 1), for `Retry-After`. */
  retryAfterSeconds(provider: string): number {
    const bucket = this.refilled(provider);
    const msPerToken = 60_000 / this.perMinute;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * msPerToken) / 1000));
  }

  private refilled(provider: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.buckets.get(provider);
    if (!bucket) {
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(provider, bucket);
    }
    const earned = ((now - bucket.at) * this.perMinute) / 60_000;
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, earned));
    bucket.at = now;
    return bucket;
  }
}

/** A dead letter past the start bound: the caller answers 503 + Retry-After (or queues it). */
export class StartLimitedError extends Error {
  override name = 'StartLimitedError';
  constructor(readonly retryAfterSeconds: number) {
    super('too many workflows started by callbacks this minute');
  }
}
