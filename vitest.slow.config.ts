import { defineConfig } from 'vitest/config';
import { databaseProjects, SLOW_TESTS } from './test/suites.ts';

// `npm run test:slow`: real kills, faults, replicas, the browser, the real entry point, transport
// journeys and the heavy security matrices (test/suites.ts). SQLite, and PostgreSQL with TEST_DATABASE_URL.
export default defineConfig({
  test: {
    include: [...SLOW_TESTS],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: databaseProjects(),
  },
});
