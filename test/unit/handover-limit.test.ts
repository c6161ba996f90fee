import { HandoverLimit, type HandoverLimitOptions } from '../../src/ingress/handover-limit';

/**
 * A limit on a clock the test moves, where every sample closes a window (the arithmetic one update
 * at a time); every option the test does not give is the default.
 */
function limitAt(options: Partial<HandoverLimitOptions> & { cap: number }) {
  const clock = { now: 0 };
  const limit = new HandoverLimit({
    now: () => clock.now,
    random: () => 0.5,
    windowMs: 1,
    windowSamples: 1,
    ...options,
  });
  /** One hand-over that ran alone and took `ms`: a no-load sample. */
  const alone = (ms: number) => {
    const slot = limit.enter();
    clock.now += ms;
    limit.release(slot);
  };
  /** One hand-over that took `ms` while `inFlight` waited at once (itself included): one update. */
  const busy = (inFlight: number, ms: number) => {
    // Long after the last window: a window lasts a round trip (the last one's latency) at the least.
    clock.now += 1_000_000;
    const others = Array.from({ length: inFlight - 1 }, () => limit.enter());
    const slot = limit.enter();
    clock.now += ms;
    limit.release(slot);
    // The others failed at once: no samples.
    others.forEach((other) => limit.release(other, false));
  };
  return { limit, clock, alone, busy };
}

/**
 * A Temporal that takes `serviceMs` of its own time per hand-over, one at a time, and answers no
 * sooner than `noLoadMs` after a hand-over was sent; callbacks arrive every millisecond (a flood).
 * Returns what the limit settled on and what was accepted over the last half of `seconds`.
 */
function flood(options: { noLoadMs: number; serviceMs: number; seconds: number; deadlineMs?: number }) {
  const clock = { now: 0 };
  const limit = new HandoverLimit({
    cap: 64,
    deadlineMs: options.deadlineMs ?? 4000,
    now: () => clock.now,
    random: () => 0.5,
  });
  let serverFreeAt = 0;
  const inFlight: { doneAt: number; slot: ReturnType<HandoverLimit['enter']> }[] = [];
  const half = (options.seconds * 1000) / 2;
  let accepted = 0;
  let totalLatencyMs = 0;
  const limits: number[] = [];
  for (clock.now = 0; clock.now < options.seconds * 1000; clock.now += 1) {
    for (
      let i = inFlight.findIndex((h) => h.doneAt <= clock.now);
      i >= 0;
      i = inFlight.findIndex((h) => h.doneAt <= clock.now)
    ) {
      const [done] = inFlight.splice(i, 1);
      limit.release(done!.slot);
      if (clock.now >= half) {
        accepted += 1;
        totalLatencyMs += clock.now - done!.slot.startedAt;
      }
    }
    if (limit.full) {
      limit.refuse();
      continue;
    }
    const slot = limit.enter();
    serverFreeAt = Math.max(clock.now, serverFreeAt) + options.serviceMs;
    inFlight.push({ slot, doneAt: Math.max(clock.now + options.noLoadMs, serverFreeAt) });
    if (clock.now >= half) limits.push(limit.limit);
  }
  limits.sort((a, b) => a - b);
  return {
    acceptedPerSecond: accepted / (half / 1000),
    meanLatencyMs: totalLatencyMs / accepted,
    medianLimit: limits[Math.floor(limits.length / 2)]!,
    noLoadMs: limit.noLoadMs!,
  };
}

describe('HandoverLimit: admission', () => {
  it('starts at the cap and is full when that many hand-overs wait', () => {
    const { limit } = limitAt({ cap: 3, floor: 1 });
    expect(limit.limit).toBe(3);
    limit.enter();
    limit.enter();
    expect(limit.full).toBe(false);
    limit.enter();
    expect(limit.full).toBe(true);
    expect(limit.waiting).toBe(3);
  });

  it('takes the no-load latency from hand-overs that started alone, the lowest recent one', () => {
    const { limit, alone, busy } = limitAt({ cap: 64 });
    expect(limit.noLoadMs).toBeUndefined();
    alone(120);
    alone(80);
    alone(100);
    expect(limit.noLoadMs).toBe(80);
    // Hand-overs that shared Temporal with others are not no-load samples, however fast.
    busy(8, 20);
    expect(limit.noLoadMs).toBe(80);
  });

  it('forgets no-load samples once newer ones are in, so it follows a server that became slower', () => {
    const { limit, clock, alone } = limitAt({ cap: 64, noLoadWindowMs: 10_000 });
    alone(50);
    clock.now += 11_000;
    alone(400);
    expect(limit.noLoadMs).toBe(400);
  });

  it('keeps the lowest sample of the window as samples rise, fall and expire', () => {
    const { limit, clock, alone } = limitAt({ cap: 64, noLoadWindowMs: 1000 });
    alone(100); // ends at 100
    alone(300); // 400
    alone(200); // 600
    expect(limit.noLoadMs).toBe(100);
    clock.now += 600;
    alone(250); // 1450: the first two are out of the window, 200 (at 600) is not
    expect(limit.noLoadMs).toBe(200);
    clock.now += 1000;
    alone(260); // 2710: only itself is left
    expect(limit.noLoadMs).toBe(260);
    // Tens of thousands of instant hand-overs, each alone (a stubbed or very fast Temporal).
    for (let i = 0; i < 50_000; i += 1) alone(i % 7 === 0 ? 3 : 0);
    expect(limit.noLoadMs).toBe(0);
  });

  it('does not count a hand-over that failed at once (Temporal unreachable) as a sample', () => {
    const { limit, clock } = limitAt({ cap: 8 });
    for (let i = 0; i < 50; i += 1) {
      const slot = limit.enter();
      clock.now += 1;
      limit.release(slot, false);
      clock.now += 100;
    }
    expect(limit.noLoadMs).toBeUndefined();
    expect(limit.limit).toBe(8);
    expect(limit.waiting).toBe(0);
  });
});

describe('HandoverLimit: the gradient', () => {
  it('shrinks by the ratio of the latency to tolerance x no-load, plus the square root of the limit', () => {
    const { limit, alone, busy } = limitAt({ cap: 64, tolerance: 2 });
    alone(100);
    // 64 waiting, taking 300 ms: 1.5 times what the tolerance allows (2 x 100 ms).
    busy(64, 300);
    expect(limit.limit).toBe(Math.floor(64 * (200 / 300) + Math.sqrt(64)));
  });

  it('shrinks by at most half per window, however slow', () => {
    const { limit, alone, busy } = limitAt({ cap: 64 });
    alone(100);
    busy(64, 100_000);
    expect(limit.limit).toBe(32 + 8);
  });

  it('grows by its square root while the latency stays within the tolerance, never past the cap', () => {
    const { limit, alone, busy } = limitAt({ cap: 64 });
    alone(100);
    busy(64, 100_000);
    expect(limit.limit).toBe(40);
    busy(40, 150);
    expect(limit.limit).toBe(Math.floor(40 + Math.sqrt(40)));
    for (let i = 0; i < 10; i += 1) busy(limit.limit, 150);
    expect(limit.limit).toBe(64);
  });

  it('leaves the limit alone when less than half of it is used: the latency is not our queue', () => {
    const { limit, alone, busy } = limitAt({ cap: 64 });
    alone(100);
    busy(20, 100_000);
    expect(limit.limit).toBe(64);
  });

  it('never goes below the floor', () => {
    const { limit, alone, busy } = limitAt({ cap: 64, floor: 6 });
    alone(10);
    for (let i = 0; i < 20; i += 1) busy(limit.limit, 100_000);
    expect(limit.limit).toBe(6);
  });
});

describe('HandoverLimit: probing the no-load latency under a flood', () => {
  it('works with the no-load latency it had when a flood begins, and probes once the flood lasted without a hand-over alone', () => {
    const { limit, clock, alone } = limitAt({ cap: 4, floor: 1, noLoadWindowMs: 10_000 });
    alone(100);
    clock.now += 60_000;
    const slots = [limit.enter(), limit.enter(), limit.enter(), limit.enter()];
    expect(limit.full).toBe(true);
    // A quiet server's no-load latency is what a flood needs to start with: no probe yet.
    expect(limit.probing).toBe(false);
    clock.now += 5_000;
    expect(limit.full).toBe(true);
    expect(limit.probing).toBe(false);
    clock.now += 5_000;
    expect(limit.full).toBe(true);
    expect(limit.probing).toBe(true);
    // Draining: room below the limit, and still full until nothing waits.
    limit.release(slots.pop()!);
    limit.release(slots.pop()!);
    expect(limit.waiting).toBe(2);
    expect(limit.full).toBe(true);
    slots.forEach((slot) => limit.release(slot));
    expect(limit.full).toBe(false);
    const probe = limit.enter();
    expect(probe.alone).toBe(true);
    expect(limit.full).toBe(true);
    clock.now += 700;
    limit.release(probe);
    expect(limit.probing).toBe(false);
    expect(limit.noLoadMs).toBe(700);
    expect(limit.full).toBe(false);
  });

  it('probes at once when it never measured a hand-over alone', () => {
    const { limit } = limitAt({ cap: 2, floor: 1 });
    limit.enter();
    limit.enter();
    expect(limit.full).toBe(true);
    expect(limit.probing).toBe(true);
  });

  it('spaces probes so that they take at most a thirtieth of the time', () => {
    const { limit, clock, alone } = limitAt({ cap: 2, floor: 1, noLoadWindowMs: 1000 });
    /** Callbacks keep coming, every 100 ms, and find the limit reached. */
    const floodFor = (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        clock.now += 100;
        expect(limit.full).toBe(true);
      }
    };
    alone(10);
    clock.now += 1000;
    const [a, b] = [limit.enter(), limit.enter()];
    // The flood begins with the first refusal (at 100 ms): a probe one window after it.
    floodFor(1000);
    expect(limit.probing).toBe(false);
    floodFor(100);
    expect(limit.probing).toBe(true);
    clock.now += 1000;
    limit.release(a);
    limit.release(b);
    const probe = limit.enter();
    clock.now += 1000;
    limit.release(probe);
    // The probe took 2 s: the next one is due 60 s after it ended, not when the sample is a second old.
    limit.enter();
    limit.enter();
    floodFor(59_900);
    expect(limit.probing).toBe(false);
    floodFor(100);
    expect(limit.probing).toBe(true);
  });
});

describe('HandoverLimit under a flood (a simulated Temporal, one hand-over at a time)', () => {
  it('keeps Temporal busy with a queue of about two no-load latencies', () => {
    // 25 ms of Temporal per hand-over (40/s), 100 ms at the least: 4 in flight keep it busy.
    const result = flood({ noLoadMs: 100, serviceMs: 25, seconds: 60 });
    expect(result.acceptedPerSecond).toBeGreaterThanOrEqual(0.9 * 40);
    expect(result.meanLatencyMs).toBeLessThanOrEqual(4 * 100);
    expect(result.medianLimit).toBeGreaterThanOrEqual(4);
    expect(result.medianLimit).toBeLessThanOrEqual(20);
    expect(result.noLoadMs).toBe(100);
  });

  it('does not shrink for a server starved of CPU: ten times slower for every hand-over, the same limit', () => {
    const quick = flood({ noLoadMs: 100, serviceMs: 25, seconds: 60 });
    const starved = flood({ noLoadMs: 1000, serviceMs: 250, seconds: 600, deadlineMs: 40_000 });
    expect(Math.abs(starved.medianLimit - quick.medianLimit)).toBeLessThanOrEqual(1);
    expect(starved.acceptedPerSecond).toBeGreaterThanOrEqual(0.9 * 4);
    expect(starved.noLoadMs).toBe(1000);
  });

  it('keeps a server that takes most of the deadline even alone busy, and its hand-overs within the deadline', () => {
    // 2.5 s alone (of a 4 s deadline), 100 ms of Temporal per hand-over (10/s): 25 in flight keep it busy.
    const result = flood({ noLoadMs: 2500, serviceMs: 100, seconds: 300 });
    expect(result.acceptedPerSecond).toBeGreaterThanOrEqual(0.9 * 10);
    expect(result.meanLatencyMs).toBeLessThan(4000);
  });
});

describe('HandoverLimit: Retry-After', () => {
  /** A limit that completed `completedPerSecond` hand-overs a second for a while, with `waiting` in flight. */
  function loaded(completedPerSecond: number, waiting: number, random: () => number) {
    const clock = { now: 0 };
    const limit = new HandoverLimit({ cap: 64, now: () => clock.now, random });
    for (let t = 0; t < 10_000; t += 1000 / completedPerSecond) {
      clock.now = t;
      limit.release(limit.enter());
    }
    for (let i = 0; i < waiting; i += 1) limit.enter();
    return { limit, clock };
  }

  it('says at least one second, and at most how long Temporal needs for what waits and what was refused', () => {
    const lowest = loaded(10, 20, () => 0).limit;
    expect(lowest.refuse()).toBe(1);
    const highest = loaded(10, 20, () => 0.999).limit;
    // 20 in flight and about one refused a second, at 10 a second: about 2 s.
    expect(highest.refuse()).toBe(3);
  });

  it('spreads retries over longer the more callbacks are refused', () => {
    const { limit } = loaded(10, 20, () => 0.999);
    const first = limit.refuse();
    for (let i = 0; i < 300; i += 1) limit.refuse();
    expect(limit.refuse()).toBeGreaterThan(first * 5);
  });

  it('spreads retries at random over that time, so they do not come back as one wave', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const { limit } = loaded(10, 20, random);
    for (let i = 0; i < 200; i += 1) limit.refuse();
    const answers = Array.from({ length: 200 }, () => limit.refuse());
    expect(new Set(answers).size).toBeGreaterThan(10);
    expect(Math.min(...answers)).toBe(1);
  });

  it('never says more than its maximum, even when nothing completes', () => {
    const clock = { now: 0 };
    const limit = new HandoverLimit({ cap: 2, now: () => clock.now, random: () => 0.999, maxRetryAfterSeconds: 30 });
    limit.enter();
    limit.enter();
    expect(limit.refuse()).toBe(30);
  });
});
