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

const root = join(__dirname, '../..');
const ROOTS = ['src', 'test', 'tools', 'bench', 'chaos', 'scripts'];
const CODE = /\.(ts|js|mjs|cjs)$/;
const CONFIGS = /^(eslint\..*\.(mjs|cjs)|jest.*\.js)$/;

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
// A word of its own, or the start of a variable's name (`<ID>_POLL_SCHEDULE`): letters or digits around it make another word.
const naming = new RegExp(
  `(?<![a-z0-9])(${words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![a-z0-9])`,
  'i',
);

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
  const problems = files.flatMap(mentions);
  expect(problems).toEqual([]);
});

it('finds a provider named in a file', () => {
  // The scan itself: a line naming the first registered provider is found, in any case, as a word only.
  const id = PROVIDERS[0]!;
  expect(naming.test(`const url = '/webhooks/${id}';`)).toBe(true);
  expect(naming.test(`// ${providerModule(id).displayName.toUpperCase()} retries`)).toBe(true);
  expect(naming.test(`const x = '${id}x';`)).toBe(false);
  expect(naming.test(`env.${id.toUpperCase()}_POLL_SCHEDULE = '1m';`)).toBe(true);
});
