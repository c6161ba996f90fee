// Lint rules that protect Temporal's guarantees: floating promises lose errors in workflows and
// activities alike, and Node built-ins in workflow code break determinism (the bundler would
// reject them at worker start-up; lint says so at the line).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import layers from './eslint.layers.cjs';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'querystring',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/** The contracts are one module: imported through src/contracts/index.ts, never file by file. */
const contractsThroughIndex = {
  group: ['**/contracts/*'],
  message: 'Import the workflow contracts from src/contracts (its index), not one of its files.',
};

export default tseslint.config(
  {
    ignores: ['dist/', 'dist-tools/', 'node_modules/', '.tools/', '.data/', '.cluster/', 'coverage/', 'bench/results/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // The layers (eslint.layers.cjs): an import that points upward fails here.
    files: ['src/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'chaos/**/*.ts'],
    plugins: { import: importPlugin },
    settings: layers.layerSettings,
    rules: {
      'import/no-restricted-paths': ['error', { zones: layers.layerZones }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['src/contracts/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [contractsThroughIndex] }] },
  },
  {
    // Everything the worker bundles: the workflows, the model and the contracts they import.
    files: [
      'src/workflows/**/*.ts',
      'src/verification/**/*.ts',
      'src/contracts/**/*.ts',
      'src/dead-letters/workflow.ts',
      'src/late-verdicts/workflow.ts',
      'src/all-workflows.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((name) => [
            { name, message: 'Workflow code must stay deterministic: no Node built-ins.' },
            { name: `node:${name}`, message: 'Workflow code must stay deterministic: no Node built-ins.' },
          ]),
          patterns: [contractsThroughIndex],
        },
      ],
    },
  },
  {
    // Test code reads loosely typed HTTP bodies and writes small async fakes; promises still must not float.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
  },
);
