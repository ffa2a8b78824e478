import { defineConfig } from 'vitest/config';
import SlowestFirstSequencer from './test/support/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirstSequencer },
    // docs/architecture.md, tests: the core unit and property tests alone exercise the pure domain fully (`npm run coverage`,
    // part of `npm test`; measuring only test/core keeps V8 coverage off the slow suites). Branch counts
    // move a little with fast-check's random inputs, so branches have headroom; the rest must be 100 %.
    coverage: {
      provider: 'v8',
      include: ['functions/core/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 100, functions: 100, statements: 100, branches: 95 },
    },
  },
});
