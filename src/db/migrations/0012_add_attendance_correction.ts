/**
 * Frozen: an admin's 补正 of one person's attendance after the 签到 window (docs/domain.md "Attendance"):
 * when, by whom and why, kept on the attendee's row so the card and the 三会一课记录簿 show it as 补正
 * (the audit row keeps the before and after).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session_attendees').addColumn('corrected_at', 'text').execute();
  await db.schema.alterTable('session_attendees').addColumn('corrected_by', 'text').execute();
  await db.schema.alterTable('session_attendees').addColumn('correction_reason', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session_attendees').dropColumn('correction_reason').execute();
  await db.schema.alterTable('session_attendees').dropColumn('corrected_by').execute();
  await db.schema.alterTable('session_attendees').dropColumn('corrected_at').execute();
}
