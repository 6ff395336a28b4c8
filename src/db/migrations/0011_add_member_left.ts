/**
 * Frozen: when a member left the org (removed from, or left, its group chats). A member who left keeps
 * the row, so names in history stay, but holds no membership: every lookup of members reads only rows
 * where `left_at` is null. Joining again clears it (as 党员).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('members').addColumn('left_at', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('members').dropColumn('left_at').execute();
}
