/**
 * How many hand-overs to Temporal the ingress lets wait at once. A fixed cap alone is wrong on
 * either side: on a fast cluster it is never reached, and on a slow or loaded server (the embedded
 * dev server on a busy two-core machine takes under ten a second) 64 waiting hand-overs already
 * mean a wait past the provider's timeout. So the limit starts at the cap and follows the latency
 * Temporal actually gives (Little's law): when hand-overs take longer than `targetWaitMs`, it
 * shrinks in proportion (at most once per `adjustEveryMs`); when they are faster, it doubles back
 * toward the cap. Beyond the limit a callback is refused at once, so the provider retries later
 * instead of timing out in a queue.
 *
 * The limit never goes below a quarter of the cap. Under a flood on a small machine, Temporal's
 * latency stops being queueing the ingress causes (the refusals themselves take its CPU): shrinking
 * further does not bring the latency down, it only lowers what is accepted (bench figure 1+ went to
 * 2.6 callbacks/s against 15.6 without a limit, with a floor of 4). The 4-second hand-over deadline
 * still bounds every acknowledgement.
 */
export interface HandoverLimitOptions {
  /** KYC_MAX_HANDOVERS_IN_FLIGHT: the limit never goes above it. */
  cap: number;
  /** The hand-over latency the limit aims for; half the hand-over deadline leaves room for a retry. */
  targetWaitMs?: number;
  /** The limit never goes below it (nor above the cap); default a quarter of the cap. */
  floor?: number;
  adjustEveryMs?: number;
  now?: () => number;
}

/** What `enter` hands out: when the hand-over started, to measure its latency on release. */
export type HandoverSlot = { startedAt: number };

export class HandoverLimit {
  private inFlight = 0;
  private current: number;
  /** Recent hand-over latency, exponentially weighted (undefined until the first one ends). */
  private latencyMs: number | undefined;
  private lastAdjustAt = 0;
  private readonly cap: number;
  private readonly targetWaitMs: number;
  private readonly floor: number;
  private readonly adjustEveryMs: number;
  private readonly now: () => number;

  constructor(options: HandoverLimitOptions) {
    this.cap = options.cap;
    this.current = options.cap;
    this.targetWaitMs = options.targetWaitMs ?? 2000;
    this.floor = Math.min(options.floor ?? Math.ceil(options.cap / 4), options.cap);
    this.adjustEveryMs = options.adjustEveryMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.current;
  }

  get waiting(): number {
    return this.inFlight;
  }

  /** True when a new callback should be refused: as many hand-overs wait as the limit allows. */
  get full(): boolean {
    return this.inFlight >= this.current;
  }

  /**
   * Counts a hand-over in; `release` it when it ends, whatever the outcome. Admission is checked
   * per callback with `full`, so the records of one admitted callback all go through.
   */
  enter(): HandoverSlot {
    this.inFlight += 1;
    return { startedAt: this.now() };
  }

  release(slot: HandoverSlot): void {
    this.inFlight -= 1;
    const now = this.now();
    const latency = now - slot.startedAt;
    this.latencyMs = this.latencyMs === undefined ? latency : 0.8 * this.latencyMs + 0.2 * latency;
    if (now - this.lastAdjustAt < this.adjustEveryMs) return;
    this.lastAdjustAt = now;
    const next =
      this.latencyMs > this.targetWaitMs
        ? Math.floor((this.current * this.targetWaitMs) / this.latencyMs)
        : this.current * 2;
    this.current = Math.min(this.cap, Math.max(this.floor, next));
  }
}
