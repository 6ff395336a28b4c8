import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Every test file runs on SQLite; with TEST_DATABASE_URL set, the whole suite runs again on PostgreSQL.
// Replicas share one PostgreSQL by design: their tests run in the postgres project only.
const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true as const,
    test: { name: 'sqlite', env: { QF_TEST_DB: 'sqlite' }, exclude: ['test/replicas/**', 'node_modules/**'] },
  },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true as const, test: { name: 'postgres', env: { QF_TEST_DB: 'postgres' } } });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects,
  },
});
