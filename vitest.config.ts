import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Timing-sensitive suites (latency against an analytic expectation) run alone, after the rest, so
// another suite's CPU load on the same two cores cannot skew what they measure.
const TIMING = ['test/integration/load-stall.test.ts'];

const shared = {
  // Scenario files import the package by name, as users' scenarios do.
  resolve: { alias: { clinsim: fileURLToPath(new URL('./index.ts', import.meta.url)) } },
};

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration and e2e suites start real servers and child processes; two workers fit 2 cores.
    maxWorkers: 2,
    projects: [
      {
        ...shared,
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMING, sequence: { groupOrder: 0 } },
      },
      {
        ...shared,
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
