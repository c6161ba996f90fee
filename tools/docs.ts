/**
 * `npm run docs`: writes what the provider registry says into the marked blocks of
 * docs/providers.md (status mappings, the providers), docs/configuration.md (each provider's
 * variables) and .env.example (each provider's block, the served and inbox providers). Everything
 * else in those files is written by hand; a marker that is missing stops it, naming the block.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerModules } from '../src/providers/registry';
import { generatedFiles, regenerate } from './docs-render';

const ROOT = join(__dirname, '..', '..');

function main(): void {
  for (const file of generatedFiles(providerModules)) {
    const path = join(ROOT, file.path);
    const before = readFileSync(path, 'utf8');
    const after = regenerate(file, before);
    if (after === before) continue;
    writeFileSync(path, after);
    console.log(`wrote ${file.path}`);
  }
}

try {
  main();
} catch (err: unknown) {
  console.error(`npm run docs: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
