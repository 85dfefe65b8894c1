import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: browser tests and the store suites share them.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
