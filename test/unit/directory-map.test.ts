/**
 * The README's "Find your way around" is the map a newcomer reads first: every folder it names
 * exists, and it names every top-level folder, every folder of src/ and of test/, so a folder added
 * or removed without the map fails here. It names no provider: the registry lists them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../src/providers/registry';
import { ROOT, section, tableRows } from '../support/markdown';

/**
 * The repository's files as git sees them: tracked, or new and not ignored (.gitignore and the
 * user's own excludes), so installed, built and run-time folders never count.
 */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\0').filter((path) => path && existsSync(join(ROOT, path)));
}

/** The folders directly inside `dir` (a path from the root, '' for the root), as `dir/name/`. */
function foldersIn(files: readonly string[], dir: string): string[] {
  const prefix = dir ? `${dir}/` : '';
  const folders = files.flatMap((path) => {
    if (!path.startsWith(prefix)) return [];
    const rest = path.slice(prefix.length).split('/');
    return rest.length > 1 ? [`${prefix}${rest[0]}/`] : [];
  });
  return [...new Set(folders)].sort();
}

/** The paths the map's table names in its first column (backticked). */
export function mappedPaths(map: string): string[] {
  return tableRows(map).flatMap(([first]) => [...(first ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
}

/** What the map gets wrong: paths it names that are gone, folders it leaves out, providers it names. */
export function mapProblems(map: string, folders: readonly string[], exists: (path: string) => boolean): string[] {
  const named = mappedPaths(map);
  const covered = (folder: string) =>
    named.some((path) => folder === path || folder.startsWith(path) || path.startsWith(folder));
  const providerFolder = new RegExp(`src/providers/(?:${PROVIDERS.join('|')})\\b`);
  return [
    ...(named.length === 0 ? ['README "Find your way around" has no table of folders'] : []),
    ...named
      .filter((path) => !exists(path))
      .map((path) => `README "Find your way around" names ${path}, which is gone`),
    ...folders
      .filter((folder) => !covered(folder))
      .map((folder) => `README "Find your way around" does not name ${folder}`),
    ...(providerFolder.test(map)
      ? ['README "Find your way around" names a provider\'s folder: the registry lists providers']
      : []),
  ];
}

describe('README "Find your way around"', () => {
  it('names every top-level folder, every folder of src/ and test/, and only folders that exist', () => {
    const files = repositoryFiles();
    const folders = [...foldersIn(files, ''), ...foldersIn(files, 'src'), ...foldersIn(files, 'test')];
    expect(folders).toEqual(expect.arrayContaining(['src/', 'src/providers/', 'test/unit/']));
    const map = section('README.md', 'Find your way around');
    expect(mapProblems(map, folders, (path) => existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('fails on a folder it leaves out, a path that is gone, and a provider folder', () => {
    const map = [
      '| Folder | What it holds |',
      '| --- | --- |',
      '| `src/verification/` | the model |',
      '| `src/gone/` | nothing |',
      `| \`src/providers/${PROVIDERS[0]}/\` | one provider |`,
    ].join('\n');
    const folders = ['src/verification/', 'src/new-slice/', `src/providers/${PROVIDERS[0]}/`];
    expect(mapProblems(map, folders, (path) => path !== 'src/gone/')).toEqual([
      'README "Find your way around" names src/gone/, which is gone',
      'README "Find your way around" does not name src/new-slice/',
      'README "Find your way around" names a provider\'s folder: the registry lists providers',
    ]);
  });
});
