/**
 * "Add a provider" in the README is a checklist; this test holds every registered provider to
 * it, so the README and the code cannot drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerRegistry, PROVIDERS } from '../../src/providers/registry';
import { PROVIDER_VARIABLE_SUFFIXES } from '../support/provider-variables';
import { labelledLists, readmeSection } from '../support/readme';

const root = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The files of a provider's folder, each with one job (README, "Add a provider"). */
const PROVIDER_FILES = ['index.ts', 'callback.ts', 'vocabulary.ts', 'retrieval.ts', 'testing/simulator.ts'];

describe.each(PROVIDERS)('provider %s has every piece the README names', (id) => {
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

  it('its list in the README status mapping and a line in the checklist section', () => {
    const mapping = labelledLists(readmeSection('Statuses and the status mapping'));
    expect([...mapping.keys()]).toContain(module.displayName);
    // Its lines read "provider word → status / decision".
    const lines = mapping.get(module.displayName)!;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain(' → ');
    expect(readmeSection('Add a provider')).toContain(`src/providers/${id}/`);
  });

  it('its unit tests, end-to-end tests and documented payloads', () => {
    for (const path of [`test/unit/${id}.test.ts`, `test/integration/${id}.test.ts`, `test/fixtures/${id}`]) {
      expect(existsSync(join(root, path))).toBe(true);
    }
  });
});
