/**
 * A fresh database per test: SQLite in memory (or in a temp file), or a private schema in the
 * PostgreSQL named by TEST_DATABASE_URL when the suite runs as the `postgres` project.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DbHandle, openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export const testDialect: 'sqlite' | 'postgres' = process.env.QF_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDb extends DbHandle {
  /** A URL another process can open to reach the same data. */
  url: string;
  /** PostgreSQL schema, when on PostgreSQL. */
  schema: string | undefined;
  drop(): Promise<void>;
}

/** A database location (not yet opened), for tests that start the bot in another process. */
export async function createTestDbLocation(): Promise<{
  url: string;
  schema: string | undefined;
  drop(): Promise<void>;
}> {
  if (testDialect === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('QF_TEST_DB=postgres needs TEST_DATABASE_URL');
    const schema = `qf_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    return {
      url,
      schema,
      async drop() {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'qf-test-'));
  return { url: join(dir, 'test.db'), schema: undefined, async drop() {} };
}

export async function createTestDb(o: { file?: boolean; migrate?: boolean } = {}): Promise<TestDb> {
  if (testDialect === 'postgres' || o.file) {
    const loc = await createTestDbLocation();
    const handle = openDatabase(loc.url, { schema: loc.schema });
    if (o.migrate !== false) await migrateToLatest(handle.db, handle.dialect);
    return {
      ...handle,
      url: loc.url,
      schema: loc.schema,
      async drop() {
        await handle.close();
        await loc.drop();
      },
    };
  }
  const handle = openDatabase(':memory:');
  if (o.migrate !== false) await migrateToLatest(handle.db, handle.dialect);
  return { ...handle, url: ':memory:', schema: undefined, drop: () => handle.close() };
}
