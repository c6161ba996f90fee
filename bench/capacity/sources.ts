/**
 * The published figures the sizing model uses, each with where it is published. Prices and
 * guidance change: `npm run capacity` prints these sources with every answer.
 */

/** Temporal Cloud's price list (https://docs.temporal.io/cloud/pricing). */
export const CLOUD_PRICES = {
  source: 'https://docs.temporal.io/cloud/pricing',
  version:
    'temporalio/documentation docs/evaluate/cloud/pricing.mdx at 0217b718, the "v7" price list with the ' +
    'Developer plan (temporalio/documentation#5244), published 2026-09-17',
  /** "The Developer plan is billed at $50 per million Actions at every volume." */
  developerPerMillion: 50,
  /**
   * Business, Enterprise and Mission Critical: "progressive volume discounts", per million actions
   * over the plan's included allocation, each tier `upTo` millions of actions a month. Over 200M:
   * "Contact Sales" (no published price).
   */
  tiers: [
    { upToMillions: 5, perMillion: 50 },
    { upToMillions: 10, perMillion: 45 },
    { upToMillions: 20, perMillion: 40 },
    { upToMillions: 50, perMillion: 35 },
    { upToMillions: 100, perMillion: 30 },
    { upToMillions: 200, perMillion: 25 },
  ],
  /** Business: "Greater of $500/mo or 10% of Usage Spend"; includes 2.5M actions, 2.5 GB active, 100 GB retained. */
  business: {
    minimumMonthly: 500,
    shareOfUsage: 0.1,
    includedMillions: 2.5,
    includedActiveGb: 2.5,
    includedRetainedGb: 100,
  },
  /** Developer: "No base fee – 10% of Usage Spend"; nothing included. */
  developer: { shareOfUsage: 0.1 },
  /** Storage per GB-hour ("1GB equals 744GBh" a month): active (open workflows) and retained (closed, within retention). */
  activePerGbHour: 0.042,
  retainedPerGbHour: 0.00105,
  gbHoursPerMonth: 744,
} as const;

/** Temporal's guidance for a self-hosted cluster, as the model applies it. */
export const TEMPORAL_GUIDANCE = {
  shards: {
    source:
      'https://docs.temporal.io/temporal-service/temporal-server#history-shard ("the total number of History Shards ' +
      'for the Temporal Service cannot be changed"; "the number of History Shards represents the number of concurrent ' +
      'database operations")',
    /** temporalio/helm-charts charts/temporal/values.yaml: `numHistoryShards: 512`. */
    helmDefault: 512,
    helmSource: 'temporalio/helm-charts charts/temporal/values.yaml (numHistoryShards: 512)',
    /** "if a single database update takes 10 ms, then a single shard can do a maximum of 100 updates per second". */
    perShardCeilingSource:
      'Mikhail Shilkov (Temporal), "Choose the number of shards in Temporal history service", 2021: a shard does at most ' +
      '1 / (database update latency) updates per second',
  },
  historyHosts: {
    /** "Temporal recommends starting at a ratio of 1 History Service process for every 500 History Shards." */
    shardsPerHost: 500,
    source:
      'https://docs.temporal.io/temporal-service/temporal-server#history-shard ("Temporal recommends starting at a ' +
      'ratio of 1 History Service process for every 500 History Shards")',
  },
  /**
   * Temporal's out-of-the-box benchmark stacks (robholland/otb-benchmarks, Rob Holland of Temporal,
   * reports/*.md): target state transitions per second and how each stack is provisioned.
   */
  benchmarkStacks: {
    source: 'robholland/otb-benchmarks reports (Temporal out-of-the-box benchmarks, MySQL and Cassandra)',
    stacks: [
      {
        name: 'small-mysql',
        targetSts: 500,
        shards: 512,
        frontend: '3×1 CPU',
        history: '6×1 CPU',
        matching: '3×1 CPU',
      },
      {
        name: 'medium-mysql',
        targetSts: 1500,
        shards: 512,
        frontend: '3×1 CPU',
        history: '6×1 CPU',
        matching: '3×1 CPU',
      },
      {
        name: 'large-mysql',
        targetSts: 5000,
        shards: 1024,
        frontend: '6×2 CPU',
        history: '12×2 CPU',
        matching: '6×1 CPU',
      },
      {
        name: 'xlarge-cassandra',
        targetSts: 10000,
        shards: 2048,
        frontend: '6×2 CPU',
        history: '12×4 CPU',
        matching: '6×2 CPU',
      },
      {
        name: 'xxlarge-cassandra',
        targetSts: 30000,
        shards: 4096,
        frontend: '15×2 CPU',
        history: '12×8 CPU',
        matching: '9×4 CPU',
      },
    ],
    /** Cores of frontend : history : matching in the small and medium stacks (3 : 6 : 3). */
    coreShares: { frontend: 0.25, history: 0.5, matching: 0.25 },
  },
  /** temporalio/temporal common/dynamicconfig/constants.go: `frontend.rps` 2400 ("rate limit per second per-instance"). */
  frontendRps: {
    perInstance: 2400,
    source: 'temporalio/temporal common/dynamicconfig/constants.go frontend.rps (2400)',
  },
} as const;

/** The TypeScript SDK's worker, as installed (@temporalio/worker lib/worker-options.d.ts). */
export const WORKER_GUIDANCE = {
  source:
    '@temporalio/worker 1.24.0 worker-options.d.ts: workflowThreadPoolSize "@default 1 if reuseV8Context is enabled" ' +
    '(reuseV8Context "@default true"): a worker process runs its workflow tasks on one thread',
} as const;
