/**
 * A volume's sizing, line by line: each number with the assumptions that drive it, from the
 * model's functions (model.ts) and the published figures (sources.ts).
 */
import type { CostFile } from '../cost/cost-file';
import {
  benchmarkShardsFor,
  benchmarkStackFor,
  cloudBill,
  historyShards,
  replicas,
  serviceInstances,
  unitOfMix,
  type UnitCost,
} from './model';
import { CLOUD_PRICES, TEMPORAL_GUIDANCE, WORKER_GUIDANCE } from './sources';

export interface Assumptions {
  perDay: number;
  mix: Record<string, number>;
  /** Share of verifications down their provider's worst path. */
  worstShare: number;
  peakToAverage: number;
  /** Share of each replica's CPU kept free at the peak. */
  headroom: number;
  workerCores: number;
  ingressCores: number;
  temporalCoresPerInstance: number;
  minimumInstances: number;
  dbWriteLatencyMs: number;
  /** Shards are sized for this multiple of the peak: they cannot be changed later. */
  growth: number;
  retentionDays: number;
  /** Mean hours a verification stays open (its history is "active" storage meanwhile). */
  openHours: number;
  daysPerMonth: number;
}

export const DEFAULT_ASSUMPTIONS: Omit<Assumptions, 'perDay' | 'mix'> = {
  worstShare: 0,
  peakToAverage: 3,
  headroom: 0.4,
  workerCores: 1,
  ingressCores: 1,
  temporalCoresPerInstance: 2,
  minimumInstances: 2,
  dbWriteLatencyMs: 10,
  growth: 1,
  retentionDays: 30,
  openHours: 1,
  daysPerMonth: 365 / 12,
};

export interface Line {
  section: string;
  label: string;
  value: string;
  /** What drives the number: assumptions and sources, printed beside it. */
  because: string;
}

export interface Sizing {
  lines: Line[];
  /** What the bracketed references in `because` stand for: [1] …, in order. */
  sources: string[];
  unit: UnitCost;
  numbers: {
    averagePerS: number;
    peakPerS: number;
    workers: number;
    ingresses: number;
    shards: number;
    services: ReturnType<typeof serviceInstances>;
    peakStateTransitionsPerS: number;
    database: { transactionsPerS: number; rowsPerS: number; walMBPerS: number; cores: number };
    cloud: ReturnType<typeof cloudBill>;
  };
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const money = (n: number) => `$${fmt(n, 0)}`;
const share = (n: number) => `${fmt(n * 100, 0)} %`;

export function size(cost: CostFile, a: Assumptions): Sizing {
  const unit = unitOfMix(cost, a.mix, a.worstShare);
  const averagePerS = a.perDay / 86_400;
  const peakPerS = averagePerS * a.peakToAverage;
  const utilisation = 1 - a.headroom;
  const mixText = Object.entries(a.mix)
    .map(([p, s]) => `${p} ${share(s)}`)
    .join(', ');
  const measured =
    `bench:cost ${cost.startedAt.slice(0, 10)}, Temporal ${cost.cluster.temporalServer} on PostgreSQL ` +
    `${cost.cluster.postgres}, machine load ${/load average: ([\d.]+)/.exec(cost.machine.uptimeAtStart)?.[1] ?? '?'}`;
  const perVerification = `the mix, ${measured}`;
  const lines: Line[] = [];
  const line = (section: string, label: string, value: string, because: string) =>
    lines.push({ section, label, value, because });
  const sources: string[] = [];
  /** A source cited once, by number. */
  const ref = (source: string) => {
    if (!sources.includes(source)) sources.push(source);
    return `[${sources.indexOf(source) + 1}]`;
  };

  line('load', 'verifications a day', fmt(a.perDay), 'given');
  line('load', 'average', `${fmt(averagePerS, 2)}/s`, 'a day is 86,400 s');
  line('load', 'peak', `${fmt(peakPerS, 2)}/s`, `peak-to-average ${fmt(a.peakToAverage, 1)} (assumed)`);
  line('load', 'mix', mixText, `${share(a.worstShare)} of them down their provider's worst path (${cost.worstPath})`);

  const per = 'per verification';
  line(per, 'worker CPU', `${fmt(unit.cpuMs.worker, 1)} ms`, perVerification);
  line(per, 'ingress CPU', `${fmt(unit.cpuMs.ingress, 1)} ms`, perVerification);
  line(
    per,
    'Temporal server CPU',
    `${fmt(unit.cpuMs.server, 1)} ms`,
    `all services in one process; ${perVerification}`,
  );
  line(per, 'PostgreSQL CPU', `${fmt(unit.cpuMs.postgres, 1)} ms`, perVerification);
  line(per, 'state transitions', fmt(unit.stateTransitions, 1), 'DescribeWorkflowExecution stateTransitionCount');
  line(
    per,
    'PostgreSQL writes',
    `${fmt(unit.postgres.transactions, 0)} transactions, ${fmt(unit.postgres.rowsWritten, 0)} rows, ${fmt(unit.postgres.walBytes / 1024, 1)} KB WAL`,
    'pg_stat_database (temporal + temporal_visibility), pg_current_wal_lsn()',
  );
  line(
    per,
    'Temporal Cloud actions',
    fmt(unit.actions, 1),
    `${perVerification}; rules ${ref(`${cost.actionRules.source} (${cost.actionRules.version})`)}`,
  );
  line(per, 'history size', `${fmt(unit.historyBytes / 1024, 1)} KB`, 'DescribeWorkflowExecution historySizeBytes');

  const ours = 'our processes';
  const workers = replicas(peakPerS, unit.cpuMs.worker, a.workerCores, utilisation, a.minimumInstances);
  line(
    ours,
    'worker replicas',
    fmt(workers),
    `peak × worker CPU at ${share(utilisation)} of ${fmt(a.workerCores)} core each (headroom ${share(a.headroom)}; ` +
      `one thread runs a worker's workflow tasks ${ref(WORKER_GUIDANCE.source)}); at least ${a.minimumInstances}`,
  );
  const ingresses = replicas(peakPerS, unit.cpuMs.ingress, a.ingressCores, utilisation, a.minimumInstances);
  line(
    ours,
    'ingress replicas',
    fmt(ingresses),
    `peak × ingress CPU at ${share(utilisation)} of ${fmt(a.ingressCores)} core each (one event loop); at least ${a.minimumInstances}`,
  );

  const temporal = 'Temporal cluster (self-hosted)';
  const peakSts = peakPerS * unit.stateTransitions;
  line(temporal, 'state transitions at the peak', `${fmt(peakSts, 0)}/s`, 'peak × state transitions per verification');
  const shards = historyShards(peakSts, a.dbWriteLatencyMs, utilisation, a.growth);
  const benchmarkShards = benchmarkShardsFor(peakSts * a.growth);
  const chosenShards = Math.max(shards.chosen, benchmarkShards);
  line(
    temporal,
    'history shards',
    fmt(chosenShards),
    `${fmt(shards.needed, 1)} needed: a shard writes one at a time ${ref(TEMPORAL_GUIDANCE.shards.source)}, at most ` +
      `${fmt(shards.perShardCeiling)}/s at ${fmt(a.dbWriteLatencyMs)} ms a database write (assumed) ` +
      `${ref(TEMPORAL_GUIDANCE.shards.perShardCeilingSource)}, kept at ${share(utilisation)}, for ${fmt(a.growth, 1)}× ` +
      `the peak (the count is fixed at creation); at least ${TEMPORAL_GUIDANCE.shards.helmDefault} ` +
      `${ref(TEMPORAL_GUIDANCE.shards.helmSource)}; a power of two; at least the ${fmt(benchmarkShards)} of ` +
      `Temporal's benchmark stack for ${fmt(peakSts * a.growth)} state transitions/s ` +
      `${ref(TEMPORAL_GUIDANCE.benchmarkStacks.source)}`,
  );
  const services = serviceInstances({
    peakPerS,
    serverCpuMs: unit.cpuMs.server,
    frontendCallsPerVerification: unit.frontendCalls,
    shards: chosenShards,
    coresPerInstance: a.temporalCoresPerInstance,
    utilisation,
    minimum: a.minimumInstances,
  });
  const shares = TEMPORAL_GUIDANCE.benchmarkStacks.coreShares;
  line(
    temporal,
    'Temporal server cores',
    fmt(services.serverCores, 1),
    `peak × server CPU at ${share(utilisation)}; measured on one process with ${cost.cluster.historyShards} shards`,
  );
  line(
    temporal,
    'history instances',
    fmt(services.history),
    `${share(shares.history)} of the cores (frontend:history:matching 3:6:3 as Temporal's benchmark stacks ` +
      `${ref(TEMPORAL_GUIDANCE.benchmarkStacks.source)}) in ${fmt(a.temporalCoresPerInstance)}-core instances; at least ` +
      `1 per ${TEMPORAL_GUIDANCE.historyHosts.shardsPerHost} shards ${ref(TEMPORAL_GUIDANCE.historyHosts.source)}; ` +
      `at least ${a.minimumInstances}`,
  );
  line(
    temporal,
    'frontend instances',
    fmt(services.frontend),
    `${share(shares.frontend)} of the cores; and ${fmt(unit.frontendCalls, 1)} calls a verification at the peak under ` +
      `the default ${fmt(TEMPORAL_GUIDANCE.frontendRps.perInstance)}/s an instance ${ref(TEMPORAL_GUIDANCE.frontendRps.source)} ` +
      `at ${share(utilisation)}; at least ${a.minimumInstances}`,
  );
  line(
    temporal,
    'matching instances',
    fmt(services.matching),
    `${share(shares.matching)} of the cores; at least ${a.minimumInstances}`,
  );
  line(
    temporal,
    'worker-service instances',
    fmt(services.worker),
    "Temporal's system workflows: not sized by this load",
  );
  const stack = benchmarkStackFor(peakSts);
  line(
    temporal,
    "Temporal's nearest benchmark stack",
    stack ? stack.name : 'beyond the largest',
    stack
      ? `target ${fmt(stack.targetSts)} sts/s: ${stack.shards} shards, frontend ${stack.frontend}, history ${stack.history}, ` +
          `matching ${stack.matching} ${ref(TEMPORAL_GUIDANCE.benchmarkStacks.source)}; a cross-check (MySQL or Cassandra, not PostgreSQL)`
      : `the largest published target is 30,000 state transitions/s ${ref(TEMPORAL_GUIDANCE.benchmarkStacks.source)}`,
  );

  const db = 'database (PostgreSQL)';
  const database = {
    transactionsPerS: peakPerS * unit.postgres.transactions,
    rowsPerS: peakPerS * unit.postgres.rowsWritten,
    walMBPerS: (peakPerS * unit.postgres.walBytes) / 1e6,
    cores: (peakPerS * unit.cpuMs.postgres) / 1000 / utilisation,
  };
  line(
    db,
    'transactions at the peak (average)',
    `${fmt(database.transactionsPerS)}/s (${fmt(averagePerS * unit.postgres.transactions)}/s)`,
    'committed, both databases',
  );
  line(
    db,
    'rows written at the peak (average)',
    `${fmt(database.rowsPerS)}/s (${fmt(averagePerS * unit.postgres.rowsWritten)}/s)`,
    'inserted + updated + deleted',
  );
  line(
    db,
    'WAL at the peak (per day)',
    `${fmt(database.walMBPerS, 2)} MB/s (${fmt((a.perDay * unit.postgres.walBytes) / 1e9, 1)} GB a day)`,
    'cluster-wide WAL, checkpoints included',
  );
  line(db, 'PostgreSQL cores', fmt(database.cores, 1), `peak × PostgreSQL CPU at ${share(utilisation)}`);

  const cloud = cloudBill({
    perDay: a.perDay,
    actionsPerVerification: unit.actions,
    historyBytes: unit.historyBytes,
    openHours: a.openHours,
    retentionDays: a.retentionDays,
    daysPerMonth: a.daysPerMonth,
  });
  const c = 'Temporal Cloud';
  const priceList = ref(`${CLOUD_PRICES.source} (${CLOUD_PRICES.version})`);
  line(c, 'actions a month', `${fmt(cloud.actionsPerMonth / 1e6, 1)} M`, `${fmt(a.daysPerMonth, 2)} days a month`);
  line(
    c,
    'cost per million verifications',
    money(cloud.perMillionVerifications),
    `${fmt(unit.actions, 1)} actions at $${CLOUD_PRICES.developerPerMillion} per million (the list price: ` +
      `the Developer plan at every volume, the first tier of the others) ${priceList}`,
  );
  line(
    c,
    'a month, Developer plan',
    money(cloud.developer.total),
    `actions ${money(cloud.developer.actions)} + storage ${money(cloud.developer.storage)} (${fmt(cloud.activeGb, 1)} GB ` +
      `active: open ${fmt(a.openHours, 1)} h on average (assumed); ${fmt(cloud.retainedGb, 0)} GB retained ${a.retentionDays} days) + ` +
      `10 % plan fee ${money(cloud.developer.plan)} ${priceList}`,
  );
  line(
    c,
    'a month, Business plan',
    cloud.business.total === undefined ? 'not on the price list' : money(cloud.business.total),
    cloud.business.total === undefined
      ? `${fmt(cloud.business.unpricedMillions, 1)} M actions a month are over the published tiers (over 200 M: ` +
          `"Contact Sales") ${priceList}; the first 200 M cost ${money(cloud.business.actions)}`
      : `tiered actions over the 2.5 M included ${money(cloud.business.actions)} + storage ${money(cloud.business.storage)} + ` +
          `plan fee (greater of $500 or 10 %) ${money(cloud.business.plan)} ${priceList}`,
  );
  return {
    lines,
    sources,
    unit,
    numbers: {
      averagePerS,
      peakPerS,
      workers,
      ingresses,
      shards: chosenShards,
      services,
      peakStateTransitionsPerS: peakSts,
      database,
      cloud,
    },
  };
}
