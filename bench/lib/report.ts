/** The results file and the markdown list: every figure next to its baseline, with their ratio. */
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

/** Glues words a line must not be broken between ("267 /s", "(192–757)"); a space once wrapped. */
const GLUE = '\u00a0';

function spread(value: Repeated, unit: string): string {
  const figure = unit ? `${value.median}${GLUE}${unit}` : `${value.median}`;
  return value.min === value.max ? figure : `${figure}${GLUE}(${value.min}–${value.max})`;
}

function goalText(goal: Goal): string {
  const subject = goal.on === 'ratio' ? 'ratio' : 'value';
  const parts = [];
  if (goal.atLeast !== undefined) parts.push(`${subject}${GLUE}≥${GLUE}${goal.atLeast}`);
  if (goal.atMost !== undefined) parts.push(`${subject}${GLUE}≤${GLUE}${goal.atMost}`);
  return parts.join(', ');
}

/** The README's line limit: a result line pasted there must stay readable as source too. */
export const LINE_WIDTH = 110;

/** A markdown list item wrapped at LINE_WIDTH; a continuation line never starts like a block (list, heading). */
function listItem(text: string): string[] {
  const lines: string[] = [];
  let line = '-';
  for (const word of text.split(' ')) {
    const blockStart = /^([-+*#>]|\d+[.)])$/.test(word.split(GLUE)[0]!);
    if (line.length + 1 + word.length > LINE_WIDTH && line.trim() !== '-' && !blockStart) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((l) => l.replaceAll(GLUE, ' '));
}

/**
 * One list item per row (a table of eight columns would not fit the README's line limit): figure, measure,
 * value as median (min–max), the baseline with its value and the ratio, the goal and whether it was met.
 */
export function markdownList(rows: FigureRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    let text = `**${r.figure}** ${r.measure} — ${spread(r.value, r.unit)}`;
    if (r.baseline) text += `; ${r.baselineName}: ${spread(r.baseline, r.unit)}, ratio${GLUE}${r.ratio}`;
    else if (r.baselineName) text += `; ${r.baselineName}`;
    if (r.goal) text += `; goal${GLUE}${goalText(r.goal)}${r.met === undefined ? '' : r.met ? ': met' : ': not met'}`;
    lines.push(...listItem(text));
  }
  return lines.join('\n');
}
