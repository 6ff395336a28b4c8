// PostgreSQL shared by several deployments (or test runs), each in its own schema: introspection and the
// migrator see only the connection's schema, and keep working while another schema is being created and
// dropped in a loop. The stock Kysely introspector failed here about one time in ten with `schema "…"
// does not exist` (a CI run lost a test to it). On SQLite there are no schemas; the file checks that the
// introspector still lists the tables.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createTestDb, createTestDbLocation, type TestDb, testDialect } from '../helpers/db.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function fresh(o: { migrate?: boolean } = {}): Promise<TestDb> {
  const t = await createTestDb(o);
  cleanup.push(() => t.drop());
  return t;
}

describe(`introspection (${testDialect})`, () => {
  it('lists this database’s tables with their columns', async () => {
    const t = await fresh();
    const tables = await t.db.introspection.getTables();
    const orgs = tables.find((x) => x.name === 'orgs');
    expect(orgs?.columns.map((c) => c.name)).toContain('id');
    expect(tables.some((x) => x.name.startsWith('kysely_'))).toBe(false);
    const withInternal = await t.db.introspection.getTables({ withInternalKyselyTables: true });
    expect(withInternal.some((x) => x.name === 'kysely_migration')).toBe(true);
    if (t.schema) expect(new Set(tables.map((x) => x.schema))).toEqual(new Set([t.schema]));
  });

  // Schemas exist only on PostgreSQL; the sqlite project has nothing to run here.
  if (testDialect !== 'postgres') return;
  it('sees only its own schema, and migrates while another schema is created and dropped in a loop', async () => {
    const a = await fresh();
    const b = await fresh({ migrate: false });
    // Another deployment's tables do not show through.
    expect((await b.db.introspection.getTables()).map((x) => x.name)).toEqual([]);
    expect((await a.db.introspection.getSchemas()).map((s) => s.name)).toEqual([a.schema]);

    const url = process.env.TEST_DATABASE_URL as string;
    const churner = new pg.Client({ connectionString: url });
    await churner.connect();
    cleanup.push(() => churner.end());
    const prefix = `qf_churn_${(b.schema as string).slice(-8)}`;
    let stop = false;
    let churned = 0;
    const churn = (async () => {
      while (!stop) {
        const s = `${prefix}_${churned++}`;
        await churner.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.t (id serial primary key, a text, b text)`);
        await churner.query(`DROP SCHEMA ${s} CASCADE`);
      }
    })();
    try {
      for (let i = 0; i < 30; i++) {
        const loc = await createTestDbLocation();
        const h = openDatabase(loc.url, { schema: loc.schema });
        try {
          expect((await migrateToLatest(h.db, h.dialect)).length).toBeGreaterThan(0);
          expect(await migrateToLatest(h.db, h.dialect)).toEqual([]);
        } finally {
          await h.close();
          await loc.drop();
        }
      }
    } finally {
      stop = true;
      await churn;
    }
    expect(churned).toBeGreaterThan(30);
  }, 120_000);
});
