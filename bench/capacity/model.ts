/**
 * The sizing model: from the measured cost of one verification (bench/results/cost.json) to what
 * a volume needs. Pure arithmetic, every function small enough to check by hand; each number it
 * produces carries the assumptions that drive it, so the printout shows them side by side.
 */
import type { CostFile } from '../cost/cost-file';
import { CLOUD_PRICES, TEMPORAL_GUIDANCE } from './sources';

/** What one verification costs, averaged over a provider mix and a share of worst paths. */
export interface UnitCost {
  cpuMs: { worker: number; ingress: number; server: number; postgres: number; bench: number };
  postgres: { transactions: number; rowsWritten: number; walBytes: number };
  stateTransitions: number;
  historyBytes: number;
  actions: number;
  /** Calls to the frontend: starts and signals, a poll and a completion per workflow task and per activity attempt. */
  frontendCalls: number;
}

const UNIT_FIGURES: Record<string, (unit: UnitCost, value: number) => void> = {
  'cpuMs.worker': (u, v) => void (u.cpuMs.worker = v),
  'cpuMs.ingress': (u, v) => void (u.cpuMs.ingress = v),
  'cpuMs.server': (u, v) => void (u.cpuMs.server = v),
  'cpuMs.postgres': (u, v) => void (u.cpuMs.postgres = v),
  'cpuMs.bench': (u, v) => void (u.cpuMs.bench = v),
  'postgres.transactions': (u, v) => void (u.postgres.transactions = v),
  'postgres.rowsWritten': (u, v) => void (u.postgres.rowsWritten = v),
  'postgres.walBytes': (u, v) => void (u.postgres.walBytes = v),
  'history.stateTransitions': (u, v) => void (u.stateTransitions = v),
  'history.historyBytes': (u, v) => void (u.historyBytes = v),
  'actions.total': (u, v) => void (u.actions = v),
};

function zeroUnit(): UnitCost {
  return {
    cpuMs: { worker: 0, ingress: 0, server: 0, postgres: 0, bench: 0 },
    postgres: { transactions: 0, rowsWritten: 0, walBytes: 0 },
    stateTransitions: 0,
    historyBytes: 0,
    actions: 0,
    frontendCalls: 0,
  };
}

/** One kind's figures (medians) as a unit cost; a figure it lacks (a measured CPU below zero after idle) counts 0. */
export function unitOfKind(cost: CostFile, kind: string): UnitCost {
  const figures = cost.kinds[kind]?.figures;
  if (!figures) throw new Error(`${kind} is not in the cost file`);
  const unit = zeroUnit();
  const median = (key: string) => Math.max(0, figures[key]?.median ?? 0);
  for (const [key, set] of Object.entries(UNIT_FIGURES)) set(unit, median(key));
  unit.frontendCalls =
    median('actions.workflowStart') +
    median('actions.signalWithStart') +
    median('actions.signal') +
    2 * median('history.workflowTasks') +
    2 * (median('actions.activity') + median('actions.activityRetry')) +
    median('actions.activityHeartbeat');
  return unit;
}

/** a·x + b·y, field by field. */
function combine(a: UnitCost, x: number, b: UnitCost, y: number): UnitCost {
  const mix = (p: number, q: number) => p * x + q * y;
  return {
    cpuMs: {
      worker: mix(a.cpuMs.worker, b.cpuMs.worker),
      ingress: mix(a.cpuMs.ingress, b.cpuMs.ingress),
      server: mix(a.cpuMs.server, b.cpuMs.server),
      postgres: mix(a.cpuMs.postgres, b.cpuMs.postgres),
      bench: mix(a.cpuMs.bench, b.cpuMs.bench),
    },
    postgres: {
      transactions: mix(a.postgres.transactions, b.postgres.transactions),
      rowsWritten: mix(a.postgres.rowsWritten, b.postgres.rowsWritten),
      walBytes: mix(a.postgres.walBytes, b.postgres.walBytes),
    },
    stateTransitions: mix(a.stateTransitions, b.stateTransitions),
    historyBytes: mix(a.historyBytes, b.historyBytes),
    actions: mix(a.actions, b.actions),
    frontendCalls: mix(a.frontendCalls, b.frontendCalls),
  };
}

/**
 * Reads `<provider>=0.4,<provider>=0.3,…` into shares that add up to 1 (they are normalised: `a=2,b=1`
 * is two thirds and one third). No mix: every provider of the cost file alike.
 */
export function parseMix(text: string | undefined, providers: readonly string[]): Record<string, number> {
  if (!text) return Object.fromEntries(providers.map((p) => [p, 1 / providers.length]));
  const weights: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const weight = Number(value);
    if (!name || !providers.includes(name))
      throw new Error(`--mix: '${name}' is not a provider (${providers.join(', ')})`);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`--mix: ${name}'s share must be a number of 0 or more`);
    weights[name] = (weights[name] ?? 0) + weight;
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('--mix: the shares add up to nothing');
  return Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, w / total]));
}

/** The mix's cost of one verification, `worstShare` of them down their provider's worst path. */
export function unitOfMix(cost: CostFile, mix: Record<string, number>, worstShare: number): UnitCost {
  let unit = zeroUnit();
  for (const [provider, share] of Object.entries(mix)) {
    const kinds = cost.providers[provider];
    if (!kinds) throw new Error(`${provider} is not in the cost file`);
    const path = combine(unitOfKind(cost, kinds.normal), 1 - worstShare, unitOfKind(cost, kinds.worst), worstShare);
    unit = combine(unit, 1, path, share);
  }
  return unit;
}

/**
 * Replicas for a CPU load: `ratePerS` verifications a second at `cpuMs` each, on replicas of
 * `cores` each kept at `utilisation` of them, never fewer than `minimum`.
 */
export function replicas(ratePerS: number, cpuMs: number, cores: number, utilisation: number, minimum: number): number {
  const needed = (ratePerS * cpuMs) / 1000 / (cores * utilisation);
  return Math.max(minimum, Math.ceil(needed - 1e-9));
}

export function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * History shards: enough that no shard's share of the peak state transitions exceeds what one
 * shard can do (one database write at a time: 1000 / write latency in ms, kept at `utilisation`),
 * for `growth` times the peak (the count is fixed when the cluster is created), never fewer than
 * the Helm chart's 512, rounded up to a power of two.
 */
export function historyShards(
  peakStateTransitionsPerS: number,
  dbWriteLatencyMs: number,
  utilisation: number,
  growth: number,
): { needed: number; chosen: number; perShardCeiling: number } {
  const perShardCeiling = 1000 / dbWriteLatencyMs;
  const needed = (peakStateTransitionsPerS * growth) / (perShardCeiling * utilisation);
  return {
    needed,
    chosen: Math.max(TEMPORAL_GUIDANCE.shards.helmDefault, nextPowerOfTwo(Math.ceil(needed))),
    perShardCeiling,
  };
}

/** The smallest of Temporal's benchmark stacks whose target covers the peak (undefined: beyond the largest). */
export function benchmarkStackFor(peakStateTransitionsPerS: number) {
  return TEMPORAL_GUIDANCE.benchmarkStacks.stacks.find((stack) => stack.targetSts >= peakStateTransitionsPerS);
}

/**
 * The shards Temporal's own benchmark stack runs at this rate; beyond the largest stack, the
 * largest's. A floor next to the one-write-at-a-time ceiling: the stacks are what Temporal
 * provisions for a rate, and the count cannot be raised later.
 */
export function benchmarkShardsFor(stateTransitionsPerS: number): number {
  const stacks = TEMPORAL_GUIDANCE.benchmarkStacks.stacks;
  return (benchmarkStackFor(stateTransitionsPerS) ?? stacks[stacks.length - 1]!).shards;
}

export interface ServiceInstances {
  serverCores: number;
  frontend: number;
  history: number;
  matching: number;
  /** Temporal's own worker service (system workflows): not sized by this load. */
  worker: number;
}

/**
 * Temporal services: the server's measured CPU at the peak, split among frontend, history and
 * matching as Temporal's benchmark stacks provision them, in instances of `coresPerInstance` at
 * `utilisation`; history also at least one per 500 shards, frontend also under its default
 * per-instance rate limit; each at least `minimum`.
 */
export function serviceInstances(input: {
  peakPerS: number;
  serverCpuMs: number;
  frontendCallsPerVerification: number;
  shards: number;
  coresPerInstance: number;
  utilisation: number;
  minimum: number;
}): ServiceInstances {
  const serverCores = (input.peakPerS * input.serverCpuMs) / 1000 / input.utilisation;
  const shares = TEMPORAL_GUIDANCE.benchmarkStacks.coreShares;
  const byCores = (share: number) => Math.ceil((serverCores * share) / input.coresPerInstance - 1e-9);
  const frontendByRate = Math.ceil(
    (input.peakPerS * input.frontendCallsPerVerification) /
      (TEMPORAL_GUIDANCE.frontendRps.perInstance * input.utilisation) -
      1e-9,
  );
  return {
    serverCores,
    frontend: Math.max(input.minimum, byCores(shares.frontend), frontendByRate),
    history: Math.max(
      input.minimum,
      byCores(shares.history),
      Math.ceil(input.shards / TEMPORAL_GUIDANCE.historyHosts.shardsPerHost),
    ),
    matching: Math.max(input.minimum, byCores(shares.matching)),
    worker: input.minimum,
  };
}

/** Business-plan tiers over the included allocation; what is over 200M a month has no published price. */
export function tieredActionsCost(actionsPerMonth: number, includedMillions: number) {
  let millions = Math.max(0, actionsPerMonth / 1e6 - includedMillions);
  let cost = 0;
  let floor = 0;
  for (const tier of CLOUD_PRICES.tiers) {
    const inTier = Math.min(millions, tier.upToMillions - floor);
    cost += inTier * tier.perMillion;
    millions -= inTier;
    floor = tier.upToMillions;
  }
  return { cost, unpricedMillions: millions };
}

export interface CloudBill {
  actionsPerMonth: number;
  /** At the list price ($50 per million actions: the Developer plan at every volume, the first tier of the others). */
  perMillionVerifications: number;
  activeGb: number;
  retainedGb: number;
  developer: { actions: number; storage: number; plan: number; total: number };
  /** Undefined total when the volume passes the published tiers ("Contact Sales"). */
  business: { actions: number; storage: number; plan: number; total: number | undefined; unpricedMillions: number };
}

/**
 * A month on Temporal Cloud: actions (per plan), storage (open verifications' histories active,
 * closed ones retained for `retentionDays`), and the plan's fee.
 */
export function cloudBill(input: {
  perDay: number;
  actionsPerVerification: number;
  historyBytes: number;
  openHours: number;
  retentionDays: number;
  daysPerMonth: number;
}): CloudBill {
  const prices = CLOUD_PRICES;
  const actionsPerMonth = input.perDay * input.daysPerMonth * input.actionsPerVerification;
  const activeGb = ((input.perDay * input.openHours) / 24) * (input.historyBytes / 1e9);
  const retainedGb = input.perDay * input.retentionDays * (input.historyBytes / 1e9);
  const storage = (active: number, retained: number) =>
    (Math.max(0, active) * prices.activePerGbHour + Math.max(0, retained) * prices.retainedPerGbHour) *
    prices.gbHoursPerMonth;
  const developerActions = (actionsPerMonth / 1e6) * prices.developerPerMillion;
  const developerStorage = storage(activeGb, retainedGb);
  const developerPlan = (developerActions + developerStorage) * prices.developer.shareOfUsage;
  const tiered = tieredActionsCost(actionsPerMonth, prices.business.includedMillions);
  const businessStorage = storage(
    activeGb - prices.business.includedActiveGb,
    retainedGb - prices.business.includedRetainedGb,
  );
  const businessPlan = Math.max(
    prices.business.minimumMonthly,
    (tiered.cost + businessStorage) * prices.business.shareOfUsage,
  );
  return {
    actionsPerMonth,
    perMillionVerifications: input.actionsPerVerification * prices.developerPerMillion,
    activeGb,
    retainedGb,
    developer: {
      actions: developerActions,
      storage: developerStorage,
      plan: developerPlan,
      total: developerActions + developerStorage + developerPlan,
    },
    business: {
      actions: tiered.cost,
      storage: businessStorage,
      plan: businessPlan,
      total: tiered.unpricedMillions > 0 ? undefined : tiered.cost + businessStorage + businessPlan,
      unpricedMillions: tiered.unpricedMillions,
    },
  };
}

/** What this machine should do at an offered load, from the unit cost and what the machine has spare. */
export interface MachinePrediction {
  throughputPerS: number;
  limitedBy: 'offered load' | 'the machine' | 'the worker processes' | 'the ingress';
  /** Cores each part uses, idle included; `worker` is all worker processes together. */
  cores: { worker: number; ingress: number; server: number; postgres: number; bench: number };
  capacityPerS: { machine: number; workers: number; ingress: number };
}

export function predictMachine(input: {
  offeredPerS: number;
  workers: number;
  cores: number;
  /** Cores the rest of the machine's users took meanwhile. */
  othersCores: number;
  /** Cores each part uses doing nothing. */
  idleCores: UnitCost['cpuMs'];
  unit: UnitCost;
  /** Cores one worker (or ingress) process can use: one thread runs its workflow tasks (its event loop). */
  coresPerProcess: number;
}): MachinePrediction {
  const { unit } = input;
  const perVerificationCores = (ms: number) => ms / 1000;
  const parts = ['worker', 'ingress', 'server', 'postgres', 'bench'] as const;
  const idle = parts.reduce((sum, part) => sum + input.idleCores[part], 0);
  const busy = parts.reduce((sum, part) => sum + perVerificationCores(unit.cpuMs[part]), 0);
  const capacityPerS = {
    machine: Math.max(0, input.cores - input.othersCores - idle) / busy,
    workers: (input.workers * input.coresPerProcess) / perVerificationCores(unit.cpuMs.worker),
    ingress: input.coresPerProcess / perVerificationCores(unit.cpuMs.ingress),
  };
  const limits: [MachinePrediction['limitedBy'], number][] = [
    ['offered load', input.offeredPerS],
    ['the machine', capacityPerS.machine],
    ['the worker processes', capacityPerS.workers],
    ['the ingress', capacityPerS.ingress],
  ];
  const [limitedBy, throughputPerS] = limits.reduce((low, next) => (next[1] < low[1] ? next : low));
  const cores = Object.fromEntries(
    parts.map((part) => [part, input.idleCores[part] + throughputPerS * perVerificationCores(unit.cpuMs[part])]),
  ) as MachinePrediction['cores'];
  return { throughputPerS, limitedBy, cores, capacityPerS };
}
