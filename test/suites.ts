/**
 * Which test files run where. `npm test` (vitest.config.ts) is the fast layer: pure rules, the database,
 * the contract and the behaviour tests, within minutes on a small machine. `npm run test:slow`
 * (vitest.slow.config.ts) is the rest: real kills and crashes, faults, replicas, the browser, the real
 * `npm start` entry, long-connection transport journeys and the heavy security matrices. Every test file
 * is in exactly one of the two (test/suites.test.ts). Both run on SQLite, and again on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
import type { TestProjectInlineConfiguration } from 'vitest/config';

export const ALL_TESTS = 'test/**/*.test.ts';

/** The slow suites: whole directories and single files. */
export const SLOW_TESTS = [
  'test/faults/**/*.test.ts',
  'test/replicas/**/*.test.ts',
  'test/browser/**/*.test.ts',
  'test/e2e/crash.test.ts',
  'test/e2e/sandbox.test.ts',
  'test/e2e/long-connection.test.ts',
  'test/e2e/ack-budget.test.ts',
  'test/security/authorization.test.ts',
  'test/security/injection.test.ts',
  'test/security/secrets.test.ts',
] as const;

/** Replicas share one PostgreSQL by design: their tests run in the postgres project only. */
const POSTGRES_ONLY = ['test/replicas/**'];

/** The sqlite project, and the postgres one when TEST_DATABASE_URL is set (each test gets its own schema). */
export function databaseProjects(): TestProjectInlineConfiguration[] {
  const projects: TestProjectInlineConfiguration[] = [
    {
      extends: true as const,
      test: { name: 'sqlite', env: { QF_TEST_DB: 'sqlite' }, exclude: [...POSTGRES_ONLY, 'node_modules/**'] },
    },
  ];
  if (process.env.TEST_DATABASE_URL) {
    projects.push({ extends: true as const, test: { name: 'postgres', env: { QF_TEST_DB: 'postgres' } } });
  }
  return projects;
}
