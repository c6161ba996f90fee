/**
 * "Add a provider" (docs/providers.md) is a checklist; this test holds every registered provider to
 * it, so the documentation and the code cannot drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerRegistry, PROVIDERS } from '../../src/providers/registry';
import { PROVIDER_VARIABLE_SUFFIXES } from '../support/provider-variables';
import { listItems, section } from '../support/markdown';

const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The files of a provider's folder, each with one job (docs/providers.md, "Add a provider"). */
const PROVIDER_FILES = ['index.ts', 'callback.ts', 'vocabulary.ts', 'retrieval.ts', 'testing/simulator.ts'];

describe.each(PROVIDERS)('provider %s has every piece docs/providers.md names', (id) => {
  const module = providerRegistry[id];

  it('a registry line whose module says the same ID', () => {
    expect(module.id).toBe(id);
  });

  it('its folder, with one file per role', () => {
    for (const file of PROVIDER_FILES) expect(existsSync(join(root, 'src/providers', id, file))).toBe(true);
  });

  it('its variables in .env.example', () => {
    const example = read('.env.example');
    for (const suffix of PROVIDER_VARIABLE_SUFFIXES)
      expect(example).toMatch(new RegExp(`^${id.toUpperCase()}_${suffix}=`, 'm'));
  });

  it('its list in the status mapping and its section under "How verdicts are decided"', () => {
    const lines = listItems(section('docs/providers.md', `${module.displayName} mapping`, 3));
    expect(lines.length).toBeGreaterThan(0);
    // Its lines read "provider word → status / decision".
    for (const line of lines) expect(line).toContain(' → ');
    expect(section('docs/providers.md', 'How verdicts are decided')).toContain(`\n### ${module.displayName}\n`);
  });

  it('its unit tests, end-to-end tests and documented payloads', () => {
    for (const path of [`test/unit/${id}.test.ts`, `test/integration/${id}.test.ts`, `test/fixtures/${id}`]) {
      expect(existsSync(join(root, path))).toBe(true);
    }
  });
});
