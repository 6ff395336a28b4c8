/** Runs the ordered migration list (never scans the filesystem). */
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Dialect } from './migrations/helpers.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

/**
 * On PostgreSQL the migration tables live in the connection's own schema. Without naming it, Kysely
 * looks them up across every schema it can see, so two deployments (or test runs) sharing a database
 * under different schemas would read each other's migration state. (The introspector it asks is
 * limited to that schema too: see pg-introspector.ts.)
 */
async function migrator(db: Kysely<Database>, dialect: Dialect): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
  }
  return new Migrator({
    db,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
    provider: {
      async getMigrations() {
        const out: Record<string, Migration> = {};
        for (const [name, file] of migrations) {
          out[name] = { up: (d) => file.up(d, dialect), down: (d) => file.down(d, dialect) };
        }
        return out;
      },
    },
  });
}

/** Applies every pending migration; returns the names applied. Throws the migrator's own error. */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const { error, results } = await (await migrator(db, dialect)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Rolls every migration back (tests check that each `down` undoes its `up`). */
export async function migrateDownAll(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const m = await migrator(db, dialect);
  for (;;) {
    const { error, results } = await m.migrateDown();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    if (!results || results.length === 0) return;
  }
}
