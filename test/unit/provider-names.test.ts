/**
 * No source file outside src/providers/ names a provider: everything else learns the providers
 * from the registry (src/providers/registry.ts) and their testing kits, so adding a provider is its
 * folder and the registry line. Scanned: the code under src/ (but src/providers/), test/, tools/,
 * bench/, chaos/, scripts/, and the lint and jest configurations; each registered provider's ID and
 * display name, as a word, in any case. Fixtures and histories are JSON and not scanned.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { PROVIDERS, providerModule } from '../../src/providers/registry';
import pending from './provider-names.pending.json';

const root = join(__dirname, '../..');
const ROOTS = ['src', 'test', 'tools', 'bench', 'chaos', 'scripts'];
const CODE = /\.(ts|js|mjs|cjs)$/;
const CONFIGS = /^(eslint\..*\.(mjs|cjs)|jest.*\.js)$/;

/**
 * Files written before the kits that still name the providers they exercise, each to be rewritten
 * on the kits or moved into its provider's folder (kept as JSON beside this file, so the list is
 * not scanned itself). The list only shrinks: a file that no longer names a provider must leave
 * it, and no other file may join it.
 */
const NOT_YET_NEUTRAL = new Set<string>(pending);

function codeFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && path !== join('src', 'providers')) files.push(...codeFiles(path));
    } else if (CODE.test(entry.name)) files.push(path);
  }
  return files;
}

function scanned(): string[] {
  const configs = readdirSync(root).filter((name) => CONFIGS.test(name));
  return [...ROOTS.flatMap((dir) => codeFiles(dir)), ...configs].map((path) => path.split(sep).join('/')).sort();
}

const words = [...new Set(PROVIDERS.flatMap((id) => [id, providerModule(id).displayName]))];
const naming = new RegExp(`\\b(${words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`, 'i');

/** `<file>:<line> names provider <word>` for every line of the file that names one. */
function mentions(file: string): string[] {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const found = naming.exec(line);
      return found ? [`${file}:${index + 1} names provider ${found[1]!.toLowerCase()}`] : [];
    });
}

it('no source file outside src/providers/ names a provider', () => {
  const files = scanned();
  expect(files.length).toBeGreaterThan(100);
  expect(files.some((file) => file.startsWith('src/providers/'))).toBe(false);
  const problems = files.filter((file) => !NOT_YET_NEUTRAL.has(file)).flatMap(mentions);
  expect(problems).toEqual([]);
});

it('the list of test files not yet provider-neutral holds only files that still name one', () => {
  const files = new Set(scanned());
  const stale = [...NOT_YET_NEUTRAL].filter((file) => !files.has(file) || mentions(file).length === 0);
  expect(stale).toEqual([]);
});

it('finds a provider named in a file', () => {
  // The scan itself: a line naming the first registered provider is found, in any case, as a word only.
  const id = PROVIDERS[0]!;
  expect(naming.test(`const url = '/webhooks/${id}';`)).toBe(true);
  expect(naming.test(`// ${providerModule(id).displayName.toUpperCase()} retries`)).toBe(true);
  expect(naming.test(`const x = '${id}x';`)).toBe(false);
});
