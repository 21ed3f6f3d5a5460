import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Local-stack test files each boot their own stack; two cores run two at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
