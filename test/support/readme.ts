/** The README as the tests read it: its sections, and the lists that replaced wide tables. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_PATH = join(__dirname, '../../README.md');

export function readme(): string {
  return readFileSync(README_PATH, 'utf8');
}

/** The text under a `## ` heading, up to the next `## ` heading; throws when the heading is gone. */
export function readmeSection(heading: string, text = readme()): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Top-level list items, each with its continuation lines joined by a space. */
export function listItems(section: string): string[] {
  const items: string[] = [];
  for (const line of section.split('\n')) {
    if (line.startsWith('- ')) items.push(line.slice(2));
    else if (/^ {2}\S/.test(line) && items.length) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items;
}

/** A section's lists grouped under their bold labels (`**Jumio**` then its items). */
export function labelledLists(section: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const parts = section.split(/^\*\*([^*\n]+)\*\*$/m);
  for (let i = 1; i < parts.length; i += 2) groups.set(parts[i]!, listItems(parts[i + 1]!));
  return groups;
}
