/**
 * Frozen: the compliance calendar (rules per org, seeded from the defaults), meetings and study
 * sessions (one table, `category` meeting|study), their attendees (签到/请假), files (minutes,
 * photos, sign-in sheets, materials) and 学习心得.
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('calendar_rules'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('frequency', 'text', (c) => c.notNull())
    .addColumn('window', 'text')
    .addColumn('fixed_day', 'integer')
    .addColumn('lead_days', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('calendar_rules_org_key', ['org_id', 'key'])
    .execute();

  await withId(db.schema.createTable('sessions'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('agenda', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('organiser_open_id', 'text', (c) => c.notNull())
    .addColumn('organiser_name', 'text', (c) => c.notNull())
    .addColumn('minutes', 'text')
    .addColumn('minutes_at', 'text')
    .addColumn('reflection_days', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sessions_org_kind_start')
    .on('sessions')
    .columns(['org_id', 'kind', 'start_at'])
    .execute();
  await db.schema.createIndex('sessions_status_start').on('sessions').columns(['status', 'start_at']).execute();

  await db.schema
    .createTable('session_attendees')
    .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('voting', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('session_attendees_pk', ['session_id', 'open_id'])
    .execute();

  await withId(db.schema.createTable('session_files'), dialect)
    .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_files_session').on('session_files').column('session_id').execute();

  await withId(db.schema.createTable('reflections'), dialect)
    .addColumn('session_id', 'integer', (c) => c.notNull().references('sessions.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reflections_once', ['session_id', 'open_id'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['reflections', 'session_files', 'session_attendees', 'sessions', 'calendar_rules']) {
    await db.schema.dropTable(t).execute();
  }
}
