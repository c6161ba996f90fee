/**
 * The layers (eslint.layers.cjs, docs/architecture.md "Layers") fail `npm run lint` on an import
 * that points upward. The zones are linted here on source text at real paths of the tree, so the
 * imports resolve to the real files; and `npm run lint`'s own configuration is asked whether it
 * applies exactly these zones.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import * as importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';
import { providerModules } from '../../src/providers/registry';

// eslint.layers.cjs is CommonJS: the same object eslint.config.mjs imports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { layerZones, layerSettings } = require('../../eslint.layers.cjs') as {
  layerZones: unknown[];
  layerSettings: Record<string, unknown>;
};

const root = join(__dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { import: importPlugin },
      settings: layerSettings,
      rules: { 'import/no-restricted-paths': ['error', { zones: layerZones }] },
    },
  ],
});

/** The layer errors of a file at `path` holding `source`. */
async function layerErrors(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, path) });
  return result!.messages.map((message) => message.message);
}

describe('the layers, as npm run lint applies them', () => {
  it('fail an upward import: the model importing the app configuration', async () => {
    const errors = await layerErrors('src/verification/probe.ts', "export { loadConfig } from '../app-config';\n");
    expect(errors).toEqual([expect.stringContaining('The model layer imports only itself and the layers below it')]);
  });

  it('fail a type-only upward import too: workflow code typing its activities by their implementation', async () => {
    const errors = await layerErrors(
      'src/workflows/probe.ts',
      "import type { KycActivities } from '../activities';\nexport type Probe = KycActivities;\n",
    );
    expect(errors).toEqual([expect.stringContaining('The workflow code layer imports only itself')]);
  });

  it('fail a provider importing the workflow that uses it', async () => {
    const provider = providerModules[0]!.id;
    const errors = await layerErrors(
      `src/providers/${provider}/probe.ts`,
      "export { verificationWorkflow } from '../../workflows/verification';\n",
    );
    expect(errors).toEqual([expect.stringContaining('Workflow code runs in the worker')]);
  });

  it('fail one edge importing the other: the ingress importing the client', async () => {
    const errors = await layerErrors('src/ingress/probe.ts', "export { KycClient } from '../client';\n");
    expect(errors).toEqual([expect.stringContaining('The ingress never imports the client.')]);
  });

  it('let an import point downward: the ingress calling the late-verdict slice, a slice its bundled workflow', async () => {
    expect(
      await layerErrors('src/ingress/probe.ts', "export { LateVerdictAlarm } from '../late-verdicts/alarm';\n"),
    ).toEqual([]);
    expect(
      await layerErrors('src/all-workflows.ts', "export { deadLetterWorkflow } from './dead-letters/workflow';\n"),
    ).toEqual([]);
    // …while the slice's own runtime code is out of the workflow code's reach.
    expect(
      await layerErrors('src/workflows/probe.ts', "export { storeDeadLetter } from '../dead-letters/store';\n"),
    ).toHaveLength(1);
  });

  it('are the zones npm run lint applies to the source', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules/eslint/bin/eslint.js'), '--print-config', 'src/verification/waiting.ts'],
      { cwd: root, maxBuffer: 16 << 20 },
    );
    const config = JSON.parse(stdout) as { rules: Record<string, [unknown, { zones: unknown[] }]> };
    const [severity, options] = config.rules['import/no-restricted-paths']!;
    expect(severity).toBe(2);
    expect(options.zones).toEqual(layerZones);
  }, 60_000);
});
