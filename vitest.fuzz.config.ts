import { defineConfig } from 'vitest/config';

// The OpenAPI fuzz run (tests/fuzz): every operation of /api/openapi.json with generated
// requests, on PGlite and on the PostgreSQL server of TEST_DATABASE_URL. Minutes, not seconds:
// apart from `npm test`, in .ci/run.
export default defineConfig({
  test: {
    include: ['tests/fuzz/**/*.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
