import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // two cores on the site boxes and on CI: integration tests start real servers
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
