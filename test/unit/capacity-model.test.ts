/**
 * The sizing model's arithmetic (bench/capacity/): each function on numbers checked by hand, the
 * price list on the example Temporal's page works, and a sizing whose every number says what drives it.
 */
import type { CostFile } from '../../bench/cost/cost-file';
import {
  cloudBill,
  historyShards,
  nextPowerOfTwo,
  parseMix,
  predictMachine,
  replicas,
  serviceInstances,
  tieredActionsCost,
  unitOfKind,
  unitOfMix,
} from '../../bench/capacity/model';
import { volumeTable } from '../../bench/capacity/report';
import { DEFAULT_ASSUMPTIONS, size } from '../../bench/capacity/sizing';

const exact = (value: number) => ({ median: value, min: value, max: value, reps: [value] });

/** A cost file with two providers whose figures are round numbers. */
function costFile(): CostFile {
  const kind = (figures: Record<string, number>) => ({
    role: 'verification' as const,
    path: 'normal',
    verificationsPerWindow: 1,
    windows: 1,
    figures: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, exact(v)])),
    sampleEvents: [],
  });
  const base = {
    'cpuMs.worker': 40,
    'cpuMs.ingress': 10,
    'cpuMs.server': 100,
    'cpuMs.postgres': 50,
    'cpuMs.bench': 20,
    'postgres.transactions': 40,
    'postgres.rowsWritten': 100,
    'postgres.walBytes': 100_000,
    'history.stateTransitions': 10,
    'history.historyBytes': 5_000,
    'history.workflowTasks': 3,
    'actions.total': 10,
    'actions.signalWithStart': 1,
    'actions.signal': 3,
    'actions.activity': 1,
  };
  return {
    what: 'test',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T01:00:00.000Z',
    machine: {
      nproc: 2,
      cpuModel: 'test',
      node: 'v24',
      uptimeAtStart: 'load average: 0',
      uptimeAtEnd: 'load average: 0',
    },
    cluster: { temporalServer: '1.32.2', historyShards: 4, postgres: '16' },
    settings: { reps: 1, count: 1, worstCount: 1 },
    worstPath: 'test',
    actionRules: { source: 'https://docs.temporal.io/evaluate/cloud/actions', version: 'test' },
    idle: { perSecond: {}, readings: [] },
    providers: {
      alpha: { normal: 'alpha/normal', worst: 'alpha/worst', worstNoDedup: 'x', twin: 'x', twinWorst: 'x' },
      beta: { normal: 'beta/normal', worst: 'beta/worst', worstNoDedup: 'x', twin: 'x', twinWorst: 'x' },
    },
    kinds: {
      'alpha/normal': kind(base),
      'alpha/worst': kind({ ...base, 'cpuMs.worker': 140, 'actions.total': 30 }),
      'beta/normal': kind({ ...base, 'cpuMs.worker': 20, 'actions.total': 6, 'cpuMs.server': -3 }),
      'beta/worst': kind({ ...base, 'cpuMs.worker': 20, 'actions.total': 6 }),
    },
  };
}

describe('replicas', () => {
  it('is the peak CPU over what one replica may use, rounded up, never below the minimum', () => {
    // 100/s × 50 ms = 5 cores; at 60 % of 1 core: 8.33 → 9.
    expect(replicas(100, 50, 1, 0.6, 2)).toBe(9);
    // 10/s × 50 ms = 0.5 cores → 1, but at least 2.
    expect(replicas(10, 50, 1, 0.6, 2)).toBe(2);
    // Exactly full: 60 /s × 10 ms = 0.6 cores at 60 % of 1 core is one replica, not two.
    expect(replicas(60, 10, 1, 0.6, 1)).toBe(1);
  });
});

describe('history shards', () => {
  it('keeps each shard under one write at a time, never fewer than the Helm default, a power of two', () => {
    expect(nextPowerOfTwo(1)).toBe(1);
    expect(nextPowerOfTwo(513)).toBe(1024);
    // 1,000 sts/s, 10 ms writes (100/s a shard) at 60 %: 16.7 needed; 512 chosen.
    expect(historyShards(1000, 10, 0.6, 1)).toEqual({ needed: 1000 / 60, chosen: 512, perShardCeiling: 100 });
    // 100,000 sts/s: 1,666.7 needed → 2048; twice the growth → 3,333 → 4096.
    expect(historyShards(100_000, 10, 0.6, 1).chosen).toBe(2048);
    expect(historyShards(100_000, 10, 0.6, 2).chosen).toBe(4096);
  });
});

describe('Temporal service instances', () => {
  it('splits the server cores 1:2:1, history at least one per 500 shards, frontend under its rate limit', () => {
    // 100/s × 100 ms = 10 cores at 50 % → 20 cores: frontend 5, history 10, matching 5 → in 2-core instances 3, 5, 3.
    const small = serviceInstances({
      peakPerS: 100,
      serverCpuMs: 100,
      frontendCallsPerVerification: 10,
      shards: 512,
      coresPerInstance: 2,
      utilisation: 0.5,
      minimum: 2,
    });
    expect(small).toEqual({ serverCores: 20, frontend: 3, history: 5, matching: 3, worker: 2 });
    // 4,096 shards need 9 history instances whatever the CPU; 1,000/s × 30 calls = 30,000/s over 2,400 × 0.5 → 25 frontends.
    const wide = serviceInstances({
      peakPerS: 1000,
      serverCpuMs: 1,
      frontendCallsPerVerification: 30,
      shards: 4096,
      coresPerInstance: 2,
      utilisation: 0.5,
      minimum: 2,
    });
    expect(wide.history).toBe(9);
    expect(wide.frontend).toBe(25);
  });
});

describe('Temporal Cloud prices', () => {
  it("prices the page's own example: 11.25M actions over the allocation cost $525", () => {
    expect(tieredActionsCost(13.75e6, 2.5)).toEqual({ cost: 525, unpricedMillions: 0 });
  });

  it('prices the first 200M a month at $5,925 and leaves the rest unpriced ("Contact Sales")', () => {
    expect(tieredActionsCost(250e6, 0)).toEqual({ cost: 5925, unpricedMillions: 50 });
  });

  it('bills the Developer plan at $50 a million at every volume plus 10 %; the Business plan at least $500', () => {
    const bill = cloudBill({
      perDay: 10_000,
      actionsPerVerification: 10,
      historyBytes: 0,
      openHours: 0,
      retentionDays: 30,
      daysPerMonth: 30,
    });
    expect(bill.actionsPerMonth).toBe(3e6);
    expect(bill.perMillionVerifications).toBe(500);
    expect(bill.developer).toEqual({ actions: 150, storage: 0, plan: 15, total: 165 });
    // 3M actions, 2.5M included: 0.5M at $50 = $25; the plan's $500 minimum.
    expect(bill.business).toEqual({ actions: 25, storage: 0, plan: 500, total: 525, unpricedMillions: 0 });
  });

  it('prices storage by the GB-hour: open histories active, closed ones retained', () => {
    // 24,000 a day open 1 h: 1,000 open × 1 MB = 1 GB active; 30 days retained: 720 GB.
    const bill = cloudBill({
      perDay: 24_000,
      actionsPerVerification: 0,
      historyBytes: 1e6,
      openHours: 1,
      retentionDays: 30,
      daysPerMonth: 30,
    });
    expect(bill.activeGb).toBeCloseTo(1);
    expect(bill.retainedGb).toBeCloseTo(720);
    expect(bill.developer.storage).toBeCloseTo((1 * 0.042 + 720 * 0.00105) * 744);
    // A week's retention keeps 168 GB.
    const week = cloudBill({
      perDay: 24_000,
      actionsPerVerification: 0,
      historyBytes: 1e6,
      openHours: 1,
      retentionDays: 7,
      daysPerMonth: 30,
    });
    expect(week.retainedGb).toBeCloseTo(168);
  });

  it('says a volume past the published tiers has no Business price', () => {
    const bill = cloudBill({
      perDay: 1e6,
      actionsPerVerification: 10,
      historyBytes: 0,
      openHours: 0,
      retentionDays: 30,
      daysPerMonth: 30,
    });
    expect(bill.business.total).toBeUndefined();
    expect(bill.business.unpricedMillions).toBeCloseTo(300 - 2.5 - 200);
  });
});

describe('the provider mix', () => {
  it('normalises shares, defaults to every provider alike, and refuses an unknown provider', () => {
    expect(parseMix('alpha=2,beta=1', ['alpha', 'beta'])).toEqual({ alpha: 2 / 3, beta: 1 / 3 });
    expect(parseMix(undefined, ['alpha', 'beta'])).toEqual({ alpha: 0.5, beta: 0.5 });
    expect(() => parseMix('gamma=1', ['alpha', 'beta'])).toThrow(/not a provider/);
    expect(() => parseMix('alpha=0', ['alpha', 'beta'])).toThrow(/nothing/);
  });

  it('weighs the providers and the worst-path share; a figure below zero (noise after idle) counts zero', () => {
    const cost = costFile();
    expect(unitOfKind(cost, 'beta/normal').cpuMs.server).toBe(0);
    // Frontend calls: 1 start + 3 signals + 2 × 3 tasks + 2 × 1 activity.
    expect(unitOfKind(cost, 'alpha/normal').frontendCalls).toBe(12);
    const unit = unitOfMix(cost, { alpha: 0.5, beta: 0.5 }, 0.1);
    // alpha: 0.9 × 40 + 0.1 × 140 = 50; beta: 20 → 35.
    expect(unit.cpuMs.worker).toBeCloseTo(35);
    // alpha: 0.9 × 10 + 0.1 × 30 = 12; beta: 6 → 9.
    expect(unit.actions).toBeCloseTo(9);
  });
});

describe('predicting this machine', () => {
  const unit = unitOfMix(costFile(), { alpha: 1 }, 0);
  const idleCores = { worker: 0.01, ingress: 0, server: 0.05, postgres: 0.01, bench: 0.01 };

  it('follows the offered load while the machine has room, each part at idle plus load × its cost', () => {
    const prediction = predictMachine({
      offeredPerS: 2,
      workers: 1,
      cores: 2,
      othersCores: 0.5,
      idleCores,
      unit,
      coresPerProcess: 1,
    });
    expect(prediction.limitedBy).toBe('offered load');
    expect(prediction.throughputPerS).toBe(2);
    expect(prediction.cores.server).toBeCloseTo(0.05 + 2 * 0.1);
    expect(prediction.cores.worker).toBeCloseTo(0.01 + 2 * 0.04);
  });

  it('stops at what the machine has spare: its cores less the others and idle, over the CPU of one verification', () => {
    // (2 − 0.5 − 0.08) / 0.22 = 6.45/s.
    const prediction = predictMachine({
      offeredPerS: 50,
      workers: 1,
      cores: 2,
      othersCores: 0.5,
      idleCores,
      unit,
      coresPerProcess: 1,
    });
    expect(prediction.limitedBy).toBe('the machine');
    expect(prediction.throughputPerS).toBeCloseTo(1.42 / 0.22);
    // On 64 cores, one worker process (1 core at 40 ms) stops at 25/s; two at 50/s.
    const big = (workers: number) =>
      predictMachine({ offeredPerS: 1000, workers, cores: 64, othersCores: 0, idleCores, unit, coresPerProcess: 1 });
    expect([big(1).limitedBy, big(1).throughputPerS]).toEqual(['the worker processes', 25]);
    expect(big(2).throughputPerS).toBe(50);
  });
});

describe('a sizing', () => {
  const assumptions = { ...DEFAULT_ASSUMPTIONS, mix: { alpha: 0.5, beta: 0.5 } };

  it('prints every number next to what drives it, the peak next to its peak-to-average ratio', () => {
    const sizing = size(costFile(), { ...assumptions, perDay: 1_000_000 });
    for (const line of sizing.lines) expect(line.because).not.toBe('');
    const peak = sizing.lines.find((l) => l.label === 'peak')!;
    expect(peak.because).toMatch(/peak-to-average 3\.0/);
    expect(sizing.numbers.peakPerS).toBeCloseTo((1_000_000 / 86_400) * 3);
    // 34.7/s × 30 ms worker (mixed) = 1.04 cores at 60 % of 1 → 2 replicas.
    expect(sizing.numbers.workers).toBe(2);
    // 100,000 a day × 8 actions (mixed) = 24M actions a month: on the price list.
    const smaller = size(costFile(), { ...assumptions, perDay: 100_000 });
    expect(smaller.lines.find((l) => l.label === 'a month, Business plan')!.value).toMatch(/^\$[\d,]+$/);
  });

  it('turns a known cost and load into the stated replicas, shards, instances, database rates and bill', () => {
    // The mix of alpha and beta (half each): worker 30 ms, ingress 10 ms, server 50 ms (beta's −3 counts 0),
    // PostgreSQL 50 ms, 10 state transitions, 40 transactions, 100 rows, 100 kB WAL, 8 actions, 12 frontend calls.
    const sizing = size(costFile(), { ...assumptions, perDay: 1_000_000 });
    const peak = (1_000_000 / 86_400) * 3; // 34.72/s
    const n = sizing.numbers;
    expect(n.peakPerS).toBeCloseTo(peak);
    // Ingress: 34.72 × 10 ms = 0.35 cores at 60 % → 1, at least 2.
    expect(n.ingresses).toBe(2);
    // 347 state transitions/s; a shard does 100/s at 10 ms, kept at 60 %: 5.8 needed, 512 chosen.
    expect(n.peakStateTransitionsPerS).toBeCloseTo(peak * 10);
    expect(n.shards).toBe(512);
    // 34.72 × 50 ms / 60 % = 2.89 cores; history needs 2 for 512 shards (1 per 500), the rest the minimum.
    expect(n.services).toEqual({
      serverCores: expect.closeTo((peak * 0.05) / 0.6, 6),
      frontend: 2,
      history: 2,
      matching: 2,
      worker: 2,
    });
    expect(n.database.transactionsPerS).toBeCloseTo(peak * 40);
    expect(n.database.rowsPerS).toBeCloseTo(peak * 100);
    expect(n.database.walMBPerS).toBeCloseTo((peak * 100_000) / 1e6);
    expect(n.database.cores).toBeCloseTo((peak * 0.05) / 0.6);
    // 8 actions × 1M × 365/12 days = 243.3M a month; $50 a million actions → $400 a million verifications.
    expect(n.cloud.actionsPerMonth).toBeCloseTo(8e6 * (365 / 12));
    expect(n.cloud.perMillionVerifications).toBe(400);
    // 100,000 a day: 24.33M actions, 21.83M over the included 2.5M: 5 × 50 + 5 × 45 + 10 × 40 + 1.83 × 35;
    // 15 GB retained and 0.02 GB active are inside the allocation; the fee is the $500 minimum.
    const smaller = size(costFile(), { ...assumptions, perDay: 100_000 }).numbers.cloud;
    const tiers = 250 + 225 + 400 + ((8e5 * (365 / 12)) / 1e6 - 2.5 - 20) * 35;
    expect(smaller.business.actions).toBeCloseTo(tiers);
    expect(smaller.business.storage).toBe(0);
    expect(smaller.business.total).toBeCloseTo(tiers + 500);
    // A wider headroom or a higher peak-to-average buys more replicas; a slower database, more shards.
    expect(size(costFile(), { ...assumptions, perDay: 1_000_000, headroom: 0.8 }).numbers.workers).toBe(6);
    expect(size(costFile(), { ...assumptions, perDay: 1_000_000, peakToAverage: 10 }).numbers.workers).toBe(6);
    expect(size(costFile(), { ...assumptions, perDay: 100_000_000, dbWriteLatencyMs: 40 }).numbers.shards).toBe(
      nextPowerOfTwo(Math.ceil(((100_000_000 / 86_400) * 3 * 10) / (25 * 0.6))),
    );
  });

  it("takes at least the shards Temporal's benchmark stack runs at the peak's state transitions", () => {
    // 8.64M a day: 300/s at the peak, 3,000 state transitions/s. The ceiling needs 50 shards (512, the
    // Helm floor); Temporal's stack for 1,500–5,000/s (large-mysql) runs 1,024.
    const mid = size(costFile(), { ...assumptions, perDay: 8_640_000 });
    expect(mid.numbers.peakStateTransitionsPerS).toBeCloseTo(3000);
    expect(mid.numbers.shards).toBe(1024);
    expect(mid.lines.find((l) => l.label === 'history shards')!.because).toMatch(
      /at least the 1,024 of Temporal's benchmark stack for 3,000 state transitions\/s/,
    );
    // 100M a day: 34,722/s, past the largest stack (30,000/s on 4,096 shards): its 4,096, though the ceiling needs 579.
    expect(size(costFile(), { ...assumptions, perDay: 100_000_000 }).numbers.shards).toBe(4096);
    // Room for twice the peak (the count is fixed): 6,000/s is the 10,000/s stack's 2,048.
    expect(size(costFile(), { ...assumptions, perDay: 8_640_000, growth: 2 }).numbers.shards).toBe(2048);
  });

  it('prints each assumption beside the number it drives', () => {
    const sizing = size(costFile(), {
      ...assumptions,
      perDay: 1_000_000,
      peakToAverage: 4,
      headroom: 0.3,
      dbWriteLatencyMs: 20,
      growth: 2,
      retentionDays: 7,
      openHours: 5,
    });
    const because = (label: string) => sizing.lines.find((l) => l.label === label)!.because;
    expect(because('peak')).toMatch(/peak-to-average 4\.0/);
    expect(because('worker replicas')).toMatch(/70 % of 1 core each \(headroom 30 %/);
    expect(because('ingress replicas')).toMatch(/70 % of 1 core each/);
    expect(because('history shards')).toMatch(/20 ms a database write \(assumed\).*for 2\.0× the peak/);
    expect(because('history shards')).toMatch(/at least 512/);
    expect(because('history instances')).toMatch(/1 per 500 shards/);
    expect(because('frontend instances')).toMatch(/2,400\/s an instance/);
    expect(because('cost per million verifications')).toMatch(/8\.0 actions at \$50 per million/);
    expect(because('a month, Developer plan')).toMatch(/open 5\.0 h on average \(assumed\).*retained 7 days/);
    expect(because('Temporal server cores')).toMatch(/70 %/);
    expect(because('PostgreSQL cores')).toMatch(/70 %/);
    // Every source a line cites by number is listed, dated where the page is.
    const cited = new Set(sizing.lines.flatMap((l) => [...l.because.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]))));
    expect([...cited].sort((a, b) => a - b)).toEqual(sizing.sources.map((_, i) => i + 1));
    expect(sizing.sources.join('\n')).toMatch(/pricing.*published 2026-09-17/);
  });

  it('says when the volume passes the published price list', () => {
    const sizing = size(costFile(), { ...assumptions, perDay: 100_000_000 });
    const business = sizing.lines.find((l) => l.label === 'a month, Business plan')!;
    expect(business.value).toBe('not on the price list');
    expect(business.because).toMatch(/Contact Sales/);
    expect(volumeTable(costFile(), assumptions, [10_000, 100_000_000])).toMatch(/past the price list/);
  });
});
