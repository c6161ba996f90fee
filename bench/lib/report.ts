/** The results file and the markdown table: every figure next to its baseline, with their ratio. */
import { round, type Repeated } from './stats';

export interface Goal {
  /** What the goal compares: the ratio to the baseline, or the value itself. */
  on: 'ratio' | 'value';
  atLeast?: number;
  atMost?: number;
}

export interface FigureRow {
  figure: string;
  measure: string;
  unit: string;
  value: Repeated;
  baselineName: string;
  baseline?: Repeated;
  ratio?: number;
  goal?: Goal;
  met?: boolean;
}

export function row(
  figure: string,
  measure: string,
  unit: string,
  value: Repeated,
  baselineName: string,
  baseline: Repeated | undefined,
  goal?: Goal,
): FigureRow {
  const ratio = baseline ? round(value.median / baseline.median) : undefined;
  const judged = goal?.on === 'ratio' ? ratio : value.median;
  const met =
    goal && judged !== undefined
      ? (goal.atLeast === undefined || judged >= goal.atLeast) && (goal.atMost === undefined || judged <= goal.atMost)
      : undefined;
  return {
    figure,
    measure,
    unit,
    value: { ...value, median: round(value.median), min: round(value.min), max: round(value.max) },
    baselineName,
    ...(baseline
      ? {
          baseline: { ...baseline, median: round(baseline.median), min: round(baseline.min), max: round(baseline.max) },
        }
      : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(goal ? { goal } : {}),
    ...(met !== undefined ? { met } : {}),
  };
}

function spread(value: Repeated, unit: string): string {
  return value.min === value.max ? `${value.median} ${unit}` : `${value.median} ${unit} (${value.min}–${value.max})`;
}

function goalText(goal: Goal | undefined): string {
  if (!goal) return '';
  const subject = goal.on === 'ratio' ? 'ratio' : 'value';
  const parts = [];
  if (goal.atLeast !== undefined) parts.push(`${subject} ≥ ${goal.atLeast}`);
  if (goal.atMost !== undefined) parts.push(`${subject} ≤ ${goal.atMost}`);
  return parts.join(', ');
}

export function markdownTable(rows: FigureRow[]): string {
  const lines = [
    '| # | measure | value: median (min–max) | baseline | baseline value | ratio | goal | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.figure} | ${r.measure} | ${spread(r.value, r.unit)} | ${r.baselineName} | ${
        r.baseline ? spread(r.baseline, r.unit) : ''
      } | ${r.ratio ?? ''} | ${goalText(r.goal)} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}
