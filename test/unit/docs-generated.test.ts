/**
 * The generated blocks of docs/ and .env.example say what the provider registry says: each is
 * rendered again from the registry and compared with the file, so a provider added, a variable
 * declared or a mapping line changed without `npm run docs` fails here.
 */
import { providerModules } from '../../src/providers/registry';
import { generatedFiles, markers, regenerate } from '../../tools/docs-render';
import { readDoc } from '../support/markdown';

describe.each(generatedFiles(providerModules).map((file) => [file.path, file] as const))('%s', (path, file) => {
  it.each(Object.keys(file.blocks))('holds the generated block "%s", as npm run docs writes it', (name) => {
    const text = readDoc(path);
    const { open, close } = markers(file.style, name);
    expect(text).toContain(open);
    expect(text).toContain(close);
    const current = regenerate({ ...file, blocks: { [name]: file.blocks[name]! } }, text);
    if (current !== text) {
      throw new Error(`${path}: the generated block "${name}" is stale: run npm run docs`);
    }
  });
});
