/**
 * The README is the front page and docs/ the reference; both read raw too: no line of 120
 * characters or more. The README keeps the two commands first and a configuration table; every
 * variable of .env.example is documented in docs/configuration.md.
 */
import { PROVIDERS } from '../../src/providers/registry';
import { documentationFiles, readDoc, section, tableRows } from '../support/markdown';

const LIMIT = 120;

/** Lines at or over the limit, as "file:line (length)"; a table row cannot wrap, so it may be longer. */
function longLines(path: string): string[] {
  return readDoc(path)
    .split('\n')
    .flatMap((line, i) =>
      line.length >= LIMIT && !line.trimStart().startsWith('|') ? [`${path}:${i + 1} (${line.length})`] : [],
    );
}

describe('README.md and docs/', () => {
  it(`have no line of ${LIMIT} characters or more`, () => {
    expect(documentationFiles().flatMap(longLines)).toEqual([]);
  });
});

describe('README.md', () => {
  it('keeps the quick start first: the two commands', () => {
    const readme = readDoc('README.md');
    const quickStart = section('README.md', 'Quick start: two commands');
    expect(readme.indexOf(quickStart)).toBeLessThan(readme.indexOf('\n## Use it from your app'));
    expect(quickStart).toMatch(/^npm ci && npm start\b/m);
    expect(quickStart).toMatch(/^npm test\b/m);
  });

  it('has a configuration table of variables that .env.example lists, and links to the full one', () => {
    const configuration = section('README.md', 'Configuration');
    expect(configuration).toContain('(docs/configuration.md)');
    const named = tableRows(configuration).flatMap(([cell]) =>
      [...cell!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!),
    );
    expect(named.length).toBeGreaterThan(8);
    const example = readDoc('.env.example');
    expect(named.filter((name) => !name.startsWith('P_') && !new RegExp(`^${name}=`, 'm').test(example))).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  it('documents every variable of .env.example (provider ones as P_… or by name)', () => {
    const configuration = readDoc('docs/configuration.md');
    const providerVariable = new RegExp(`^(?:${PROVIDERS.map((p) => p.toUpperCase()).join('|')})_(.+)$`);
    const variables = readDoc('.env.example')
      .split('\n')
      .flatMap((line) => /^([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []);
    expect(variables.length).toBeGreaterThan(50);
    const missing = variables.filter((name) => {
      const generic = providerVariable.exec(name)?.[1];
      return !configuration.includes(`\`${name}\``) && !(generic && configuration.includes(`\`P_${generic}\``));
    });
    expect(missing).toEqual([]);
  });
});
