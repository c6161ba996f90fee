/** The README and docs/ as the tests read them: files, sections, list items, table rows, links. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/** A repository file's text, by its path from the root. */
export function readDoc(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** README.md and every docs/*.md, as paths from the root. */
export function documentationFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

/**
 * The text under a heading of the given level (`## Configuration`), up to the next heading of that
 * level or above; throws naming the file when the heading is gone.
 */
export function section(path: string, heading: string, level = 2): string {
  const text = readDoc(path);
  const marker = `${'#'.repeat(level)} ${heading}\n`;
  const start = text.startsWith(marker) ? 0 : text.indexOf(`\n${marker}`);
  if (start < 0) throw new Error(`${path} has no section "${marker.trim()}"`);
  const rest = text.slice(start + 1);
  const next = new RegExp(`\\n#{1,${level}} `).exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
export function proseLines(text: string): { line: string; number: number }[] {
  let fenced = false;
  return text.split('\n').flatMap((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [{ line, number: i + 1 }];
  });
}

/** Top-level list items, each with its continuation lines joined by a space. */
export function listItems(text: string): string[] {
  const items: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('- ')) items.push(line.slice(2));
    else if (/^ {2}\S/.test(line) && items.length) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items;
}

/** The body rows of the markdown tables in a text (the header and its separator left out), as trimmed cells. */
export function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let lineInTable = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      lineInTable = 0;
      continue;
    }
    lineInTable += 1;
    if (lineInTable <= 2) continue; // the header and the |---| line
    rows.push(
      line
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
