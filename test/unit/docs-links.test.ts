/**
 * Every relative link in README.md, docs/ and bench/results/ leads somewhere: the file exists, and
 * a `#heading` anchor is a heading of that file, as GitHub writes heading anchors.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { documentationFiles, proseLines, readDoc, ROOT } from '../support/markdown';

/** The markdown files whose links are checked, as paths from the repository root. */
function linkedFiles(): string[] {
  const results = join(ROOT, 'bench/results');
  const benchResults = existsSync(results)
    ? readdirSync(results)
        .filter((name) => name.endsWith('.md'))
        .map((name) => `bench/results/${name}`)
    : [];
  return [...documentationFiles(), ...benchResults];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings (repeats get `-1`, `-2`, …), code blocks left out. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The link targets of a markdown text with their line numbers: inline links and reference definitions. */
export function links(text: string): { target: string; line: number }[] {
  return proseLines(text).flatMap(({ line, number }) => {
    const prose = line.replace(/`[^`]*`/g, '');
    const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
    const definition = /^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+.*)?$/.exec(prose)?.[1];
    return [...inline, ...(definition ? [definition] : [])].map((target) => ({ target, line: number }));
  });
}

/** What is wrong with each relative link of one file, as `file:line links to target: problem`. */
export function brokenLinks(path: string, text: string, root = ROOT): string[] {
  return links(text).flatMap(({ target, line }) => {
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(target)) return []; // http:, https:, mailto:, …
    const [file, anchor] = target.split('#', 2) as [string, string | undefined];
    const linked = file === '' ? path : normalize(join(dirname(path), decodeURI(file)));
    const where = `${path}:${line} links to ${target}`;
    if (relative(root, join(root, linked)).startsWith('..')) return [`${where}: outside the repository`];
    if (!existsSync(join(root, linked))) return [`${where}: no such file`];
    if (anchor === undefined) return [];
    if (statSync(join(root, linked)).isDirectory() || !linked.endsWith('.md')) {
      return [`${where}: an anchor into something that is not a markdown file`];
    }
    const headings = anchors(linked === path ? text : readDoc(linked));
    return headings.has(decodeURIComponent(anchor)) ? [] : [`${where}: no such heading`];
  });
}

describe('links in README.md, docs/ and bench/results/', () => {
  it.each(linkedFiles())('%s: every relative link and anchor resolves', (path) => {
    expect(brokenLinks(path, readDoc(path))).toEqual([]);
  });

  it('are found and checked: a missing file, a missing heading and a repeated heading', () => {
    const text = [
      '# Title',
      '## Same',
      '## Same',
      '## The `state` query',
      'See [a](#same-1), [b](#the-state-query), [c](#nowhere), [d](docs/nothing.md),',
      '[e](https://example.com/x#y), [f](docs/providers.md#add-a-provider) and `[g](#in-code)`.',
      '```',
      '[h](#in-a-fence)',
      '```',
      '[i]: docs/architecture.md#no-such-heading',
    ].join('\n');
    expect(brokenLinks('README.md', text)).toEqual([
      'README.md:5 links to #nowhere: no such heading',
      'README.md:5 links to docs/nothing.md: no such file',
      'README.md:10 links to docs/architecture.md#no-such-heading: no such heading',
    ]);
  });
});
