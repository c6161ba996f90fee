import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../src/providers/registry';
import { PROVIDER_VARIABLE_SUFFIXES } from '../support/provider-variables';

const root = join(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Variables read through the env reader, plus the P_* family every provider has. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const call =
    /\b(?:env|read)\.(?:string|devString|url|duration|durations|enumOf|boolean|integer|port|list|has)\(\s*'([A-Z][A-Z0-9_]+)'/g;
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(call)) names.add(match[1]!);
  }
  for (const p of PROVIDERS.map((id) => id.toUpperCase())) {
    for (const suffix of PROVIDER_VARIABLE_SUFFIXES) names.add(`${p}_${suffix}`);
  }
  return names;
}

describe('.env.example', () => {
  it('lists every variable the code reads', () => {
    const listed = new Set(
      readFileSync(join(root, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
        .filter(Boolean),
    );
    const missing = [...variablesRead()].filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
  });
});
