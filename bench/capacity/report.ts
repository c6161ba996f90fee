/** The sizing as text or markdown, and several volumes side by side. */
import type { CostFile } from '../cost/cost-file';
import { size, type Assumptions, type Sizing } from './sizing';

export function text(sizing: Sizing): string {
  const out: string[] = [];
  let section = '';
  for (const line of sizing.lines) {
    if (line.section !== section) {
      section = line.section;
      out.push('', `${section}:`);
    }
    out.push(`  ${line.label}: ${line.value}`, `      (${line.because})`);
  }
  out.push('', 'sources:', ...sizing.sources.map((source, i) => `  [${i + 1}] ${source}`));
  return out.join('\n').trimStart();
}

export function markdown(sizing: Sizing): string {
  const out: string[] = [];
  let section = '';
  for (const line of sizing.lines) {
    if (line.section !== section) {
      section = line.section;
      out.push('', `**${section}**`, '', '| | | because |', '|---|---:|---|');
    }
    out.push(`| ${line.label} | ${line.value} | ${line.because.replace(/\|/g, '\\|')} |`);
  }
  out.push('', ...sizing.sources.map((source, i) => `[${i + 1}] ${source}  `));
  return out.join('\n').trimStart();
}

/** Several volumes side by side: the numbers only (the assumptions are stated once, above the table). */
export function volumeTable(cost: CostFile, base: Omit<Assumptions, 'perDay'>, volumes: number[]): string {
  const sizings = volumes.map((perDay) => size(cost, { ...base, perDay }).numbers);
  const f = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows: [string, (n: Sizing['numbers']) => string][] = [
    ['average, peak (verifications/s)', (n) => `${f(n.averagePerS, 2)}, ${f(n.peakPerS, 2)}`],
    ['worker replicas', (n) => f(n.workers)],
    ['ingress replicas', (n) => f(n.ingresses)],
    ['state transitions/s at the peak', (n) => f(n.peakStateTransitionsPerS)],
    ['history shards', (n) => f(n.shards)],
    ['Temporal server cores', (n) => f(n.services.serverCores, 1)],
    [
      'frontend / history / matching / worker instances',
      (n) => `${n.services.frontend} / ${n.services.history} / ${n.services.matching} / ${n.services.worker}`,
    ],
    ['PostgreSQL transactions/s at the peak', (n) => f(n.database.transactionsPerS)],
    ['PostgreSQL rows written/s at the peak', (n) => f(n.database.rowsPerS)],
    ['WAL MB/s at the peak', (n) => f(n.database.walMBPerS, 2)],
    ['PostgreSQL cores', (n) => f(n.database.cores, 1)],
    ['Temporal Cloud actions a month', (n) => `${f(n.cloud.actionsPerMonth / 1e6, 1)} M`],
    ['Temporal Cloud cost per million verifications (list)', (n) => `$${f(n.cloud.perMillionVerifications)}`],
    ['Temporal Cloud a month, Developer plan', (n) => `$${f(n.cloud.developer.total)}`],
    [
      'Temporal Cloud a month, Business plan',
      (n) =>
        n.cloud.business.total === undefined
          ? `past the price list (${f(n.cloud.business.unpricedMillions, 0)} M actions over 200 M)`
          : `$${f(n.cloud.business.total)}`,
    ],
  ];
  const lines = [
    `| verifications a day | ${volumes.map((v) => f(v)).join(' | ')} |`,
    `|---|${volumes.map(() => '---:').join('|')}|`,
  ];
  for (const [label, value] of rows) lines.push(`| ${label} | ${sizings.map(value).join(' | ')} |`);
  return lines.join('\n');
}
