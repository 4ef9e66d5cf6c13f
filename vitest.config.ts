import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts', 'e2e/**/*.e2e.ts'],
    // The CDNOW end-to-end test reads the real 70k-line log; give it room on a busy 2-core machine.
    testTimeout: 60_000,
    // One embedded PostgreSQL for the run (and TEST_DATABASE_URL's server): see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
