/**
 * `npm run capacity -- --per-day N [--mix <provider>=0.4,<provider>=0.3,…]`: what N verifications a day
 * need (our replicas, the Temporal cluster, the database's write rate, Temporal Cloud's bill),
 * from the cost measured by `npm run bench:cost`, every number next to what drives it.
 *   --from FILE            measured costs (default bench/results/cost.json, else docs/capacity-cost.json)
 *   --mix p=share,…        provider shares (normalised; default: every measured provider alike)
 *   --worst-share S        share of verifications down the worst path (default 0)
 *   --peak-to-average R    (default 3)          --headroom H   CPU kept free at the peak (default 0.4)
 *   --worker-cores C       cores per worker replica (1)      --ingress-cores C  per ingress replica (1)
 *   --temporal-cores C     cores per Temporal service instance (2)   --min-instances N (2)
 *   --db-write-ms L        a database write's latency, for the shard ceiling (10)
 *   --growth G             size shards for G times the peak (1)      --retention-days D (30)
 *   --open-hours H         mean hours a verification stays open (1)
 *   --table N,N,…          one table for several volumes a day instead (markdown)
 *   --markdown             the line-by-line answer as markdown
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostFile } from '../cost/cost-file';
import { parseMix } from './model';
import { markdown, text, volumeTable } from './report';
import { DEFAULT_ASSUMPTIONS, size } from './sizing';
import { CLOUD_PRICES } from './sources';

const ROOT = join(__dirname, '..', '..', '..');

class UsageError extends Error {}

function parse(argv: string[]) {
  const flag = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    if (index < 0) return undefined;
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    return value;
  };
  const number = (name: string, fallback: number, { zero = false } = {}) => {
    const value = flag(name);
    if (value === undefined) return fallback;
    const parsed = Number(value.replace(/_/g, ''));
    if (!Number.isFinite(parsed) || parsed < 0 || (!zero && parsed === 0))
      throw new UsageError(`--${name} must be a ${zero ? 'non-negative' : 'positive'} number`);
    return parsed;
  };
  const fromFlag = flag('from');
  const from =
    fromFlag ??
    [join(ROOT, 'bench', 'results', 'cost.json'), join(ROOT, 'docs', 'capacity-cost.json')].find((p) => existsSync(p));
  if (!from) throw new UsageError('no measured costs: run `npm run bench:cost`, or pass --from FILE');
  const headroom = number('headroom', DEFAULT_ASSUMPTIONS.headroom, { zero: true });
  if (headroom >= 1) throw new UsageError('--headroom is the share of CPU kept free: below 1');
  const worstShare = number('worst-share', DEFAULT_ASSUMPTIONS.worstShare, { zero: true });
  if (worstShare > 1) throw new UsageError('--worst-share is a share: 0 to 1');
  const table = flag('table')
    ?.split(',')
    .map((n) => Number(n.replace(/_/g, '')));
  if (table && table.some((n) => !(n > 0))) throw new UsageError('--table takes volumes a day, e.g. 10000,1000000');
  const perDay = flag('per-day') === undefined ? undefined : number('per-day', 0);
  if (perDay === undefined && !table) throw new UsageError('--per-day N (verifications a day) is required');
  return {
    from,
    perDay,
    table,
    markdown: argv.includes('--markdown'),
    mix: flag('mix'),
    assumptions: {
      worstShare,
      peakToAverage: number('peak-to-average', DEFAULT_ASSUMPTIONS.peakToAverage),
      headroom,
      workerCores: number('worker-cores', DEFAULT_ASSUMPTIONS.workerCores),
      ingressCores: number('ingress-cores', DEFAULT_ASSUMPTIONS.ingressCores),
      temporalCoresPerInstance: number('temporal-cores', DEFAULT_ASSUMPTIONS.temporalCoresPerInstance),
      minimumInstances: Math.round(number('min-instances', DEFAULT_ASSUMPTIONS.minimumInstances)),
      dbWriteLatencyMs: number('db-write-ms', DEFAULT_ASSUMPTIONS.dbWriteLatencyMs),
      growth: number('growth', DEFAULT_ASSUMPTIONS.growth),
      retentionDays: number('retention-days', DEFAULT_ASSUMPTIONS.retentionDays),
      openHours: number('open-hours', DEFAULT_ASSUMPTIONS.openHours, { zero: true }),
      daysPerMonth: DEFAULT_ASSUMPTIONS.daysPerMonth,
    },
  };
}

function main(): void {
  const options = parse(process.argv.slice(2));
  const cost = JSON.parse(readFileSync(options.from, 'utf8')) as CostFile;
  const mix = parseMix(options.mix, Object.keys(cost.providers));
  const base = { ...options.assumptions, mix };
  const header = [
    `measured costs: ${options.from} (${cost.startedAt}, machine load at the start: ${cost.machine.uptimeAtStart})`,
    `prices: ${CLOUD_PRICES.source} (${CLOUD_PRICES.version})`,
  ];
  if (options.table) {
    process.stdout.write(`${header.join('\n')}\n\n${volumeTable(cost, base, options.table)}\n`);
    return;
  }
  const sizing = size(cost, { ...base, perDay: options.perDay! });
  process.stdout.write(`${header.join('\n')}\n\n${options.markdown ? markdown(sizing) : text(sizing)}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`capacity: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
