/**
 * `npm run test:cluster`: the cluster suite, on the production shape (scripts/cluster.sh: the
 * pinned Temporal server on PostgreSQL), never part of `npm test`. Besides test/cluster/, the
 * end-to-end files below run again unchanged: their `startTemporal()` finds the cluster
 * (KYC_TEST_TEMPORAL_ADDRESS) instead of starting a dev server.
 */
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const base = require('./jest.config');

/** Every provider folder (src/providers/<id>/index.ts): each provider's end-to-end file runs again. */
const providerFolders = readdirSync(join(__dirname, 'src/providers'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(__dirname, 'src/providers', entry.name, 'index.ts')))
  .map((entry) => entry.name);

const endToEndOnTheCluster = [
  ...providerFolders,
  'late-verdicts',
  'dead-letters',
  'cli',
  'encryption',
  'codec-endpoint',
];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/cluster/**/*.test.ts',
    ...endToEndOnTheCluster.map((name) => `<rootDir>/test/integration/${name}.test.ts`),
  ],
  testPathIgnorePatterns: ['/node_modules/'],
  // One cluster, shared: one file at a time, with room for a loaded machine.
  maxWorkers: 1,
  testTimeout: 180_000,
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
};
