import { defineConfig } from 'vitest/config';
import { LOCAL_STACK_NODE_FLAGS } from './local/simulation-process.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Local-stack test files each boot their own stack; two cores run two at a time.
    maxWorkers: 2,
    // As `npm start` runs the local stack (local/simulation-process.ts says why).
    execArgv: LOCAL_STACK_NODE_FLAGS,
    reporters: ['default'],
  },
});
