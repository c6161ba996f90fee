/** `npm run bench`'s results as a markdown list: readable as source too, however long a measure. */
import { LINE_WIDTH, markdownList, row } from '../../bench/lib/report';

describe("npm run bench's markdown list", () => {
  it('is list items whose lines stay under the limit, however long a measure', () => {
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
