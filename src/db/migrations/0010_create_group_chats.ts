/**
 * Frozen: the group chats the bot has been spoken to in. A card callback carries the chat's id but
 * not its type; a bound chat is a group, and this table says so for groups that are not (yet) bound,
 * so that a click on a card there is answered privately too (a group card is shared).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('group_chats')
    .addColumn('chat_id', 'text', (c) => c.primaryKey())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('group_chats').execute();
}
