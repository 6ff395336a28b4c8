/**
 * Frozen: the durable inbox. Every event and card callback is written here in one quick insert
 * before it is acknowledged, so work that outlasts Feishu's 3 s ack window (a group of 1,000
 * members, a 5,000-row ledger) finishes after the ack, and after a crash, exactly once. The key is
 * the router's dedup key (`msg:<message_id>`, `evt:<event_id>`): a redelivery is a no-op insert.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbox')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .execute();
  await db.schema.createIndex('inbox_due').on('inbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('inbox_received').on('inbox').column('received_at').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbox').execute();
}
