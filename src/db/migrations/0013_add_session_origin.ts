/**
 * Frozen: how a session's record was made (docs/domain.md "Attendance"): `live` through the bot, or
 * `backfill` — a meeting held before the bot was used, entered afterwards by an admin and shown as 补录.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('recorded_as', 'text', (c) => c.notNull().defaultTo('live'))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('recorded_as').execute();
}
