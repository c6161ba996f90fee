/**
 * The README reads raw too (issue 11): no source line of 120 characters or more, so wide tables are
 * lists. The lists still carry what the tables did: every variable under Configuration, every
 * folder of "Find your way around" present. Each provider's status mapping: provider-checklist.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINE_WIDTH, markdownList, row } from '../../bench/lib/report';
import { PROVIDERS } from '../../src/providers/registry';
import { listItems, readme, readmeSection } from '../support/readme';

const root = join(__dirname, '../..');
const LIMIT = 120;

/** Lines at or over the limit, as "line N (length)". */
function longLines(text: string): string[] {
  return text.split('\n').flatMap((line, i) => (line.length >= LIMIT ? [`line ${i + 1} (${line.length})`] : []));
}

describe('README.md', () => {
  it(`has no line of ${LIMIT} characters or more`, () => {
    expect(longLines(readme())).toEqual([]);
  });

  it('keeps the quick start first: the two commands', () => {
    const quickStart = readmeSection('Quick start: two commands');
    expect(readme().indexOf(quickStart)).toBeLessThan(readme().indexOf('\n## Use it from your app'));
    expect(quickStart).toMatch(/^npm ci && npm start\b/m);
    expect(quickStart).toMatch(/^npm test\b/m);
  });

  it('lists every variable of .env.example under Configuration (provider ones as P_…)', () => {
    const configuration = readmeSection('Configuration');
    const providerVariable = new RegExp(`^(?:${PROVIDERS.map((p) => p.toUpperCase()).join('|')})_(.+)$`);
    const variables = readFileSync(join(root, '.env.example'), 'utf8')
      .split('\n')
      .flatMap((line) => /^([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []);
    expect(variables.length).toBeGreaterThan(50);
    const missing = variables.filter((name) => {
      const generic = providerVariable.exec(name)?.[1];
      return !configuration.includes(`\`${name}\``) && !(generic && configuration.includes(`\`P_${generic}\``));
    });
    expect(missing).toEqual([]);
  });

  it('names in "Find your way around" only folders and files that exist', () => {
    const items = listItems(readmeSection('Find your way around'));
    expect(items.length).toBeGreaterThan(10);
    const paths = items.flatMap((item) => {
      const names = item.slice(0, item.indexOf(': '));
      return [...names.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    });
    expect(paths).toEqual(expect.arrayContaining(['src/verification/', 'src/providers/', 'test/unit/']));
    expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});

describe("npm run bench's results, as pasted into the README", () => {
  it('are list items whose lines stay under the limit, however long a measure', () => {
    const repeated = { median: 1235, min: 1000, max: 100000, reps: [] };
    const long = 'a measure with a long name '.repeat(8).trim();
    const rows = [
      row('1', long, 'ms', repeated, 'a baseline with an equally long name, repeated', repeated, {
        on: 'ratio',
        atMost: 1.3,
      }),
      row('5', 'no baseline', 'KB', repeated, '', undefined),
    ];
    const lines = markdownList(rows).split('\n');
    expect(lines.every((line) => line.length <= LINE_WIDTH)).toBe(true);
    expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(2);
    expect(lines.every((line) => line.startsWith('- ') || /^ {2}\S/.test(line))).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(
      `- **1** ${long} — 1235 ms (1000–100000); a baseline with an equally long name, repeated: ` +
        '1235 ms (1000–100000), ratio 1; goal ratio ≤ 1.3: met - **5** no baseline — 1235 KB (1000–100000)',
    );
  });
});
