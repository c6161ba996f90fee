/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Tests live in test/, beside each provider (src/providers/<id>/test/) and beside the tools.
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/tools'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // jose ships ES modules only (Node loads them with require(); jest's module system does not).
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // Integration tests each start a real Temporal dev server; two cores run two files at a time.
  maxWorkers: 2,
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The cluster suite (jest.cluster.config.js, `npm run test:cluster`) brings its own cluster.
  testPathIgnorePatterns: ['/node_modules/', '/test/cluster/'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
