/** `npm run chaos`: the long fault runs (chaos/), never part of `npm test`. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/chaos'],
  testMatch: ['**/*.chaos.test.ts'],
  maxWorkers: 1,
  testTimeout: 1_800_000,
};
