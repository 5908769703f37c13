import { defineConfig } from 'vitest/config';

// Three tiers (see docs/adr/0001-architecture.md): unit tests sit next to the code,
// integration tests use a real database (PGlite, or PostgreSQL when DATABASE_URL is set),
// end-to-end tests drive Debian's Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
          // Some unit tests read the real files in ../shared/data: generous on a loaded machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
