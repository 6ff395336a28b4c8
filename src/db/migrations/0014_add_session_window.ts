/**
 * Frozen: the 签到 window each session keeps (docs/domain.md "Attendance"): minutes before the start it
 * opens and after the start it closes, taken from the org's windows when the session is created, so
 * that a later `/设置 签到窗口` changes only the sessions created afterwards — a past meeting's window
 * never reopens and its record stays as it was. Null on rows from before: the org's window (or the
 * default) applies to them as it did.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('sign_opens_before', 'integer').execute();
  await db.schema.alterTable('sessions').addColumn('sign_closes_after', 'integer').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('sign_closes_after').execute();
  await db.schema.alterTable('sessions').dropColumn('sign_opens_before').execute();
}
