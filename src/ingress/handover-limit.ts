/**
 * How many hand-overs to Temporal the ingress lets wait at once. Beyond the limit a callback is
 * refused at once (503 + Retry-After), so the provider retries later instead of timing out in a
 * queue. A fixed cap alone is wrong on either side: on a fast cluster it is never reached, and on a
 * slow server 64 waiting hand-overs already mean a wait past the provider's timeout.
 *
 * So below the cap the limit follows the queue the ingress itself builds in Temporal, a gradient
 * as in TCP Vegas and Netflix's concurrency-limits: it compares the hand-overs' latency with the
 * no-load latency, what a hand-over takes with nothing else of ours in flight. While the latency
 * stays within `tolerance` times the no-load latency the limit grows (by its square root per
 * window, only while it is actually used); beyond, it shrinks by that ratio (at most by half per
 * window). In balance, `limit = tolerance x no-load latency x Temporal's rate + sqrt(limit)`:
 * enough hand-overs in flight to keep Temporal busy, and a queue of about two no-load latencies
 * (the dev server's rate still grows with a few hand-overs queued, see the README's Benchmarks); and never a
 * queue that would take hand-overs past their deadline.
 *
 * The no-load latency is measured, not assumed: a hand-over that ran alone is a sample of it,
 * and the minimum of the recent ones (`noLoadWindowMs`) is the estimate. Absolute latency says
 * nothing about our queue: a server starved of CPU (or busy with its workers' tasks) is slow for
 * every hand-over, alone or not, and shrinking the limit would only lower what is accepted. When
 * a flood has lasted that long and no hand-over ran alone meanwhile, the limit probes: it admits
 * nothing until what is in flight has drained, then one hand-over alone, whose latency is a fresh
 * sample. Probes are spaced so that they cost at most a thirtieth of the time.
 *
 * Pure arithmetic: the clock and the random source are passed in, so tests drive it sample by sample.
 */
export interface HandoverLimitOptions {
  /** KYC_MAX_HANDOVERS_IN_FLIGHT: the limit starts here and never goes above it. */
  cap: number;
  /** The limit never goes below it (nor above the cap). */
  floor?: number;
  /** Latency up to this multiple of the no-load latency is not a queue worth shrinking for. */
  tolerance?: number;
  /**
   * The hand-over deadline: the queue never takes a hand-over past three quarters of it (unless it
   * takes that long alone), since one that misses it is answered 503 after all the wait.
   */
  deadlineMs?: number;
  /**
   * A window of samples closes after this long (at least the last window's mean latency, one round
   * trip) with `windowSamples` samples, or four times as long with any.
   */
  windowMs?: number;
  windowSamples?: number;
  /** How long a no-load sample stands; the estimate is the minimum of those this recent. */
  noLoadWindowMs?: number;
  /** Retry-After never says more than this. */
  maxRetryAfterSeconds?: number;
  now?: () => number;
  random?: () => number;
}

/** What `enter` hands out: when the hand-over started, and whether it ran alone so far. */
export type HandoverSlot = { readonly startedAt: number; alone: boolean };

const DEFAULTS = {
  floor: 4,
  tolerance: 3,
  windowMs: 500,
  windowSamples: 10,
  noLoadWindowMs: 10_000,
  maxRetryAfterSeconds: 30,
};
/** A probe costs at most this share of the time: the next waits thirty times as long as the last took. */
const PROBE_SPACING = 30;
/** Seconds over which completions and refusals are counted into rates. */
const RATE_WINDOW_S = 2;

export class HandoverLimit {
  private inFlight = 0;
  private estimate: number;
  private readonly cap: number;
  private readonly floor: number;
  private readonly options: Required<Omit<HandoverLimitOptions, 'now' | 'random' | 'cap' | 'floor' | 'deadlineMs'>>;
  private readonly deadlineMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  /** Mean latency of the last window: one round trip. */
  private latencyMs = 0;
  /** The samples of the window being collected. */
  private window = { startedAt: 0, samples: 0, totalMs: 0, mostInFlight: 0, reachedLimit: false };
  /**
   * Recent samples of hand-overs that ran alone: the no-load latency is their minimum. Kept are those
   * that can still be the minimum, oldest first, latencies rising:
   * a sample is dropped once a later one is as fast (it can no longer be the minimum), so the front is
   * the window's minimum and the back its latest sample. Hand-overs that answer at once and alone,
   * thousands a second, cost one comparison each rather than a pass over the whole window.
   */
  private noLoadSamples: { at: number; ms: number }[] = [];
  /** The hand-over in flight alone, until another joins it. */
  private aloneSlot: HandoverSlot | undefined;
  /** Set while probing: admits nothing until the hand-overs in flight are done, then one alone. */
  private probeStartedAt: number | undefined;
  private nextProbeAt = 0;
  /** When the limit was last reached: a flood that begins after a quiet spell gets a grace before probing. */
  private reachedAt: number | undefined;
  /** Completions and refusals, decaying over RATE_WINDOW_S: rates for Retry-After. */
  private completions = { value: 0, at: 0 };
  private refusals = { value: 0, at: 0 };

  constructor(options: HandoverLimitOptions) {
    this.cap = Math.max(1, options.cap);
    this.floor = Math.max(1, Math.min(options.floor ?? DEFAULTS.floor, this.cap));
    this.estimate = this.cap;
    this.deadlineMs = options.deadlineMs ?? Infinity;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.options = {
      tolerance: options.tolerance ?? DEFAULTS.tolerance,
      windowMs: options.windowMs ?? DEFAULTS.windowMs,
      windowSamples: options.windowSamples ?? DEFAULTS.windowSamples,
      noLoadWindowMs: options.noLoadWindowMs ?? DEFAULTS.noLoadWindowMs,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? DEFAULTS.maxRetryAfterSeconds,
    };
    this.window.startedAt = this.now();
  }

  /** The most hand-overs that may wait at once right now. */
  get limit(): number {
    return Math.max(this.floor, Math.floor(this.estimate));
  }

  get waiting(): number {
    return this.inFlight;
  }

  /** The no-load latency in milliseconds (undefined until a hand-over has run alone). */
  get noLoadMs(): number | undefined {
    return this.noLoadSamples[0]?.ms;
  }

  get probing(): boolean {
    return this.probeStartedAt !== undefined;
  }

  /**
   * True when a new callback should be refused: as many hand-overs wait as the limit allows, or a
   * probe waits for them to drain. Admission is checked per callback, so the records of one
   * admitted callback all go through.
   */
  get full(): boolean {
    if (this.inFlight >= this.limit) {
      this.window.reachedLimit = true;
      this.maybeStartProbe();
    }
    if (this.probing) return this.inFlight > 0;
    return this.inFlight >= this.limit;
  }

  /** Counts a hand-over in; `release` it when it ends, whatever the outcome. */
  enter(): HandoverSlot {
    const slot = { startedAt: this.now(), alone: this.inFlight === 0 };
    // Only a hand-over that ran alone from start to end is a no-load sample: one that others joined shared Temporal.
    if (this.aloneSlot) this.aloneSlot.alone = false;
    this.aloneSlot = slot.alone ? slot : undefined;
    this.inFlight += 1;
    this.window.mostInFlight = Math.max(this.window.mostInFlight, this.inFlight);
    return slot;
  }

  /**
   * Counts a hand-over out. `measured`: Temporal answered it, or its deadline passed (a hand-over
   * that failed at once, Temporal unreachable, says nothing about its latency and is no sample).
   */
  release(slot: HandoverSlot, measured = true): void {
    this.inFlight -= 1;
    if (this.aloneSlot === slot) this.aloneSlot = undefined;
    if (!measured) return;
    const now = this.now();
    const latencyMs = Math.max(0, now - slot.startedAt);
    this.count(this.completions, now, 1);
    if (slot.alone) this.noteNoLoad(now, latencyMs);
    this.window.samples += 1;
    this.window.totalMs += latencyMs;
    const age = now - this.window.startedAt;
    // At least one round trip: a change shows in the latency only once the hand-overs it admitted are done.
    const windowMs = Math.max(this.options.windowMs, this.latencyMs);
    if ((age >= windowMs && this.window.samples >= this.options.windowSamples) || age >= 4 * windowMs) {
      this.closeWindow(now);
    }
  }

  /**
   * Counts a refused callback and says when it should come back: the time Temporal needs, at the
   * rate it completes hand-overs now, for those in flight and those just refused (which will retry
   * too), spread at random over that time so the retries do not come back as one wave.
   */
  refuse(): number {
    const now = this.now();
    this.count(this.refusals, now, 1);
    const perSecond = (counter: { value: number; at: number }) => this.count(counter, now, 0) / RATE_WINDOW_S;
    const completed = perSecond(this.completions);
    const backlog = this.inFlight + perSecond(this.refusals);
    const { maxRetryAfterSeconds } = this.options;
    const drainS = completed > 0 ? Math.min(maxRetryAfterSeconds, backlog / completed) : maxRetryAfterSeconds;
    return 1 + Math.floor(this.random() * Math.max(1, Math.ceil(drainS)));
  }

  private closeWindow(now: number): void {
    const { samples, totalMs, mostInFlight, reachedLimit } = this.window;
    this.window = { startedAt: now, samples: 0, totalMs: 0, mostInFlight: this.inFlight, reachedLimit: false };
    this.latencyMs = totalMs / samples;
    const noLoad = this.noLoadMs;
    // Not enough demand to tell (fewer than half the limit were ever in flight), or nothing to compare with.
    if (noLoad === undefined || this.probing || (mostInFlight < this.limit / 2 && !reachedLimit)) return;
    const gradient = Math.max(0.5, Math.min(1, this.allowedLatencyMs(noLoad) / Math.max(this.latencyMs, 1)));
    const next = this.estimate * gradient + Math.sqrt(this.estimate);
    this.estimate = Math.max(this.floor, Math.min(this.cap, next));
  }

  /** The latency the queue may bring hand-overs to: `tolerance` x no-load, within the deadline. */
  private allowedLatencyMs(noLoadMs: number): number {
    const withinDeadline = Math.max(noLoadMs, (this.deadlineMs * 3) / 4);
    return Math.max(1, Math.min(this.options.tolerance * noLoadMs, withinDeadline));
  }

  private noteNoLoad(now: number, latencyMs: number): void {
    const samples = this.noLoadSamples;
    while (samples.length && samples.at(-1)!.ms >= latencyMs) samples.pop();
    samples.push({ at: now, ms: latencyMs });
    let expired = 0;
    while (now - samples[expired]!.at >= this.options.noLoadWindowMs) expired += 1;
    if (expired) samples.splice(0, expired);
    if (this.probeStartedAt !== undefined) {
      this.nextProbeAt = now + Math.max(this.options.noLoadWindowMs, PROBE_SPACING * (now - this.probeStartedAt));
      this.probeStartedAt = undefined;
    }
  }

  /**
   * A probe when the limit is reached and no hand-over ran alone recently enough. A flood that
   * begins after a quiet spell first works with the no-load latency measured before it (a quiet
   * server's, the very thing measured), and probes only once it has lasted `noLoadWindowMs`: a
   * probe right away would wait for the whole cap to drain.
   */
  private maybeStartProbe(): void {
    const now = this.now();
    const floodBegins = this.reachedAt === undefined || now - this.reachedAt >= this.options.noLoadWindowMs;
    this.reachedAt = now;
    if (this.probing) return;
    const latest = this.noLoadSamples.at(-1);
    if (latest !== undefined && floodBegins)
      this.nextProbeAt = Math.max(this.nextProbeAt, now + this.options.noLoadWindowMs);
    const stale = latest === undefined || now - latest.at >= this.options.noLoadWindowMs;
    if (stale && now >= this.nextProbeAt) this.probeStartedAt = now;
  }

  /** Adds `amount` to a counter that decays over RATE_WINDOW_S, and returns its value now. */
  private count(counter: { value: number; at: number }, now: number, amount: number): number {
    counter.value = counter.value * Math.exp(-(now - counter.at) / (RATE_WINDOW_S * 1000)) + amount;
    counter.at = now;
    return counter.value;
  }
}
