/**
 * The demo's output: a live line per verification while it runs (redrawn in place on a terminal,
 * a line per change otherwise, so a log or CI keeps a readable story), then the verdict table.
 */
import { terminalSafe } from '../../src/client/terminal-text';
import type { VerificationState } from '../../src/verification/model';
import type { Scenario } from './scenarios';

export interface Row {
  scenario: Scenario;
  state?: VerificationState;
  error?: string;
}

export function outcome(row: Row): string {
  if (row.error) return `error: ${row.error}`;
  if (!row.state) return 'starting';
  return row.state.decision ? `${row.state.status}/${row.state.decision}` : row.state.status;
}

export function expectedOutcome(scenario: Scenario): string {
  return scenario.expected.decision
    ? `${scenario.expected.status}/${scenario.expected.decision}`
    : scenario.expected.status;
}

export function asExpected(row: Row): boolean {
  return outcome(row) === expectedOutcome(row.scenario);
}

function line(row: Row): string {
  const { provider, story, reference } = row.scenario;
  const polls = row.state?.polls ? ` · ${row.state.polls} poll${row.state.polls === 1 ? '' : 's'}` : '';
  // An error's text may quote what a server sent: shown escaped, so it stays on its line.
  return terminalSafe(
    `${provider.padEnd(9)} ${story.padEnd(16)} ${outcome(row).padEnd(22)}${polls.padEnd(11)} ${reference}`,
  );
}

export class Progress {
  private drawn = 0;
  private readonly printed = new Map<Row, string>();

  constructor(
    private readonly rows: Row[],
    private readonly write: (text: string) => void,
    private readonly live: boolean,
  ) {}

  update(): void {
    if (this.live) {
      // Move up over the previous frame and redraw it (each line cleared first).
      const up = this.drawn ? `\x1b[${this.drawn}A` : '';
      this.write(up + this.rows.map((row) => `\x1b[2K${line(row)}\n`).join(''));
      this.drawn = this.rows.length;
      return;
    }
    for (const row of this.rows) {
      const text = line(row);
      if (this.printed.get(row) !== text) {
        this.printed.set(row, text);
        this.write(`${text}\n`);
      }
    }
  }
}

export function verdictTable(rows: Row[], uiLink: (workflowId: string) => string): string {
  const header = ['provider', 'story', 'outcome', 'expected', '', 'Web UI'];
  const body = rows.map((row) => [
    row.scenario.provider,
    row.scenario.story,
    terminalSafe(outcome(row)),
    expectedOutcome(row.scenario),
    asExpected(row) ? 'ok' : 'MISMATCH',
    uiLink(`kyc:${row.scenario.provider}:${row.scenario.reference}`),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((cells) => cells[i]!.length)));
  return [header, ...body]
    .map((cells) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
