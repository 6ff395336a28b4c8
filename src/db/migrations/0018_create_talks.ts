/**
 * Frozen: the talk register (issue 16 item 1). A talk (谈心谈话, 廉政谈话, 任前廉政谈话, 提醒谈话, 节前廉政谈话)
 * is recorded by the one who held it, with one or more other parties, a date and a place; its notes are
 * for the recorder, the 书记 and the 纪检委员 only. Each other party may confirm it (双方确认).
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('talks'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('held_on', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('recorder_open_id', 'text', (c) => c.notNull())
    .addColumn('recorder_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('recorded'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('talks_org_held').on('talks').columns(['org_id', 'held_on']).execute();
  await db.schema
    .createTable('talk_parties')
    .addColumn('talk_id', 'integer', (c) => c.notNull().references('talks.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addPrimaryKeyConstraint('talk_parties_pk', ['talk_id', 'open_id'])
    .execute();
  await db.schema.createIndex('talk_parties_open').on('talk_parties').column('open_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('talk_parties_open').execute();
  await db.schema.dropTable('talk_parties').execute();
  await db.schema.dropIndex('talks_org_held').execute();
  await db.schema.dropTable('talks').execute();
}
