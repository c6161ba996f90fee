/**
 * `npm run test:cluster`: the cluster suite, on the production shape (scripts/cluster.sh: the
 * pinned Temporal server on PostgreSQL), never part of `npm test`. Besides test/cluster/, every
 * provider's end-to-end file (src/providers/<id>/test/e2e.test.ts) and the files below run again
 * unchanged: their `startTemporal()` finds the cluster (KYC_TEST_TEMPORAL_ADDRESS) instead of
 * starting a dev server.
 */
const base = require('./jest.config');

const endToEndOnTheCluster = ['late-verdicts', 'dead-letters', 'cli', 'encryption', 'codec-endpoint'];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/cluster/**/*.test.ts',
    '<rootDir>/src/providers/*/test/e2e.test.ts',
    ...endToEndOnTheCluster.map((name) => `<rootDir>/test/integration/${name}.test.ts`),
  ],
  testPathIgnorePatterns: ['/node_modules/'],
  // One cluster, shared: one file at a time, with room for a loaded machine.
  maxWorkers: 1,
  testTimeout: 180_000,
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
};
