import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the JSON report lets .ci/run print a plain "N passed, N failed" closing line
    reporters: ['default', ['json', { outputFile: 'var/test-report.json' }]],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // two cores on the site boxes and on CI: integration tests start real servers
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
