// Statements prepared once (issue 17): on PostgreSQL each connection names a statement text the first
// time it sends it with parameters and only binds it after that (src/db/connection.ts `prepareOnce`).
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { markProcessed, wasProcessed } from '../../src/db/repositories/events.ts';
import { createTestDbLocation, testDialect } from '../helpers/db.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe.runIf(testDialect === 'postgres')('statements prepared once per connection (postgres)', () => {
  it('prepares each statement text once, then runs it by name with new parameters', async () => {
    const loc = await createTestDbLocation();
    // One connection, so every query below goes through the same one.
    const handle = openDatabase(loc.url, { schema: loc.schema, poolSize: 1 });
    cleanups.push(async () => {
      await handle.close();
      await loc.drop();
    });
    await migrateToLatest(handle.db, handle.dialect);
    const prepared = async () =>
      (
        await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(
          handle.db,
        )
      ).rows;
    const before = await prepared();
    for (let i = 0; i < 20; i++) {
      expect(await markProcessed(handle.db, `evt:${i}`, 'message', '2026-12-03T01:00:00.000Z')).toBe(true);
      expect(await wasProcessed(handle.db, `evt:${i}`)).toBe(true);
    }
    const after = await prepared();
    const added = after.filter((p) => !before.some((b) => b.name === p.name));
    // Forty queries, two statement texts: each parsed once, under a name of ours.
    const ours = added.filter((p) => /processed_events/.test(p.statement));
    expect(ours.map((p) => p.name).every((n) => /^qf\d+$/.test(n))).toBe(true);
    expect(ours).toHaveLength(2);
    expect(await wasProcessed(handle.db, 'evt:none')).toBe(false);
  });
});
