import { defineConfig } from 'vitest/config';
import { ALL_TESTS, databaseProjects, SLOW_TESTS } from './test/suites.ts';

// `npm test`: the fast layer (test/suites.ts lists what runs under `npm run test:slow` instead).
// Every file runs on SQLite; with TEST_DATABASE_URL set, again on PostgreSQL.
export default defineConfig({
  test: {
    include: [ALL_TESTS],
    exclude: [...SLOW_TESTS, 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: databaseProjects(),
  },
});
