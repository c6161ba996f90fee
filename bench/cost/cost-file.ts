/**
 * bench/results/cost.json: what the cost run measured, per verification, for each kind (a
 * provider's path, or a minimal twin), as the median of its windows with their spread. The
 * sizing model (bench/capacity/) reads it; cost.md is the same as tables.
 */
import type { Repeated } from '../lib/stats';

export interface KindResult {
  role: 'verification' | 'twin';
  provider?: string;
  path: string;
  verificationsPerWindow: number;
  windows: number;
  /**
   * Per verification: 'cpuMs.worker|ingress|server|postgres|bench', 'postgres.transactions[.db]',
   * 'postgres.rowsWritten[.db]', 'postgres.walBytes', 'history.events|payloadBytes|historyBytes|
   * stateTransitions', 'actions.total' and 'actions.<rule>', 'serverActions.<action_type>|total'.
   */
  figures: Record<string, Repeated>;
  /** One verification's history, event type by event type (its runs in order). */
  sampleEvents: string[];
}

export interface CostFile {
  what: string;
  startedAt: string;
  finishedAt: string;
  machine: { nproc: number; cpuModel: string; node: string; uptimeAtStart: string; uptimeAtEnd: string };
  cluster: { temporalServer: string; historyShards: number; postgres: string };
  settings: Record<string, number>;
  worstPath: string;
  actionRules: { source: string; version: string };
  /** What the processes and PostgreSQL did per second with nothing asked of them (subtracted). */
  idle: { perSecond: Record<string, number>; readings: Record<string, number>[] };
  /** For each provider: the kinds its figures come from, and its twins. */
  providers: Record<string, { normal: string; worst: string; worstNoDedup: string; twin: string; twinWorst: string }>;
  kinds: Record<string, KindResult>;
}

/** The median of one figure of one kind (NaN when it was not measured, e.g. a twin's ingress). */
export function figure(cost: CostFile, kind: string, key: string): number {
  return cost.kinds[kind]?.figures[key]?.median ?? NaN;
}

const COLUMNS: [string, string, (v: number) => string][] = [
  ['history events', 'history.events', (v) => v.toFixed(0)],
  ['payload B', 'history.payloadBytes', (v) => v.toFixed(0)],
  ['actions', 'actions.total', (v) => v.toFixed(1)],
  ['state transitions', 'history.stateTransitions', (v) => v.toFixed(0)],
  ['workflow tasks', 'history.workflowTasks', (v) => v.toFixed(0)],
  ['worker CPU ms', 'cpuMs.worker', (v) => v.toFixed(1)],
  ['ingress CPU ms', 'cpuMs.ingress', (v) => v.toFixed(1)],
  ['server CPU ms', 'cpuMs.server', (v) => v.toFixed(0)],
  ['PostgreSQL CPU ms', 'cpuMs.postgres', (v) => v.toFixed(0)],
  ['PG transactions', 'postgres.transactions', (v) => v.toFixed(0)],
  ['PG rows written', 'postgres.rowsWritten', (v) => v.toFixed(0)],
  ['WAL KB', 'postgres.walBytes', (v) => (v / 1024).toFixed(1)],
];

function cell(value: number, twin: number, format: (v: number) => string): string {
  const kyc = Number.isFinite(value) ? format(value) : '–';
  return Number.isFinite(twin) ? `${kyc} (${format(twin)})` : kyc;
}

/** The per-verification table: each provider's paths, each cell "ours (the twin's)". */
export function costMarkdown(cost: CostFile): string {
  const lines = [
    '# Cost of one verification',
    '',
    `Measured ${cost.startedAt} to ${cost.finishedAt} on the production shape (Temporal server ` +
      `${cost.cluster.temporalServer}, ${cost.cluster.historyShards} history shards, PostgreSQL ${cost.cluster.postgres}), ` +
      `${cost.machine.nproc} cores (${cost.machine.cpuModel}).`,
    `Machine load at the start: \`${cost.machine.uptimeAtStart}\`; at the end: \`${cost.machine.uptimeAtEnd}\`.`,
    `Per verification, median of ${cost.settings.reps} windows (${cost.settings.count} verifications each on a ` +
      `normal path, ${cost.settings.worstCount} on a worst path); CPU and PostgreSQL net of their idle rates. ` +
      'Each cell: ours (the minimal twin with the same signals and activities; the twin has no ingress).',
    `Worst path: ${cost.worstPath}; its twin takes the redeliveries as signals.`,
    `Actions: Temporal Cloud's rules (${cost.actionRules.source}).`,
    '',
    `| provider, path | ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|`,
  ];
  for (const [provider, kinds] of Object.entries(cost.providers)) {
    const paths: [string, string, string][] = [
      ['normal', kinds.normal, kinds.twin],
      ['worst', kinds.worst, kinds.twinWorst],
      ['worst, ingress dedup off', kinds.worstNoDedup, kinds.twinWorst],
    ];
    for (const [label, kind, twin] of paths) {
      const cells = COLUMNS.map(([, key, format]) => cell(figure(cost, kind, key), figure(cost, twin, key), format));
      lines.push(`| ${provider}, ${label} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '## Actions by rule, normal path (ours / twin)', '');
  const rules = Object.keys(Object.values(cost.kinds)[0]?.figures ?? {})
    .filter((key) => key.startsWith('actions.') && key !== 'actions.total')
    .filter((key) => Object.values(cost.kinds).some((k) => (k.figures[key]?.median ?? 0) !== 0));
  lines.push(`| provider | ${rules.map((r) => r.slice('actions.'.length)).join(' | ')} | server's counter |`);
  lines.push(`|---|${rules.map(() => '---:').join('|')}|---:|`);
  for (const [provider, kinds] of Object.entries(cost.providers)) {
    const cells = rules.map((key) =>
      cell(figure(cost, kinds.normal, key), figure(cost, kinds.twin, key), (v) => v.toFixed(1)),
    );
    const server = cell(
      figure(cost, kinds.normal, 'serverActions.total'),
      figure(cost, kinds.twin, 'serverActions.total'),
      (v) => v.toFixed(1),
    );
    lines.push(`| ${provider} | ${cells.join(' | ')} | ${server} |`);
  }
  lines.push(
    '',
    "The server's counter is the OSS server's `action` metric over each window, divided by the verifications: " +
      'it also counts the TemporalChangeVersion upserts that Temporal Cloud exempts.',
    '',
  );
  return lines.join('\n');
}
