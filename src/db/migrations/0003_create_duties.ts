/**
 * Frozen: the responsibility list (主体责任清单): lists per org and year, items with category,
 * cadence and owners, tasks (one per item × owner × period) with history and evidence, and the
 * quarterly 履责 reports.
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('duty_lists'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('duty_lists_org_year', ['org_id', 'year'])
    .execute();

  await withId(db.schema.createTable('duty_items'), dialect)
    .addColumn('list_id', 'integer', (c) => c.notNull().references('duty_lists.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('leader', 'text', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('due_day', 'integer')
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('import_key', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('duty_items_import_key', ['org_id', 'import_key'])
    .execute();
  await db.schema.createIndex('duty_items_org').on('duty_items').columns(['org_id', 'active']).execute();

  await db.schema
    .createTable('duty_owners')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('duty_items.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('duty_owners_pk', ['item_id', 'open_id'])
    .execute();

  await withId(db.schema.createTable('tasks'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('duty_items.id'))
    .addColumn('owner_open_id', 'text', (c) => c.notNull())
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('tasks_occurrence', ['item_id', 'owner_open_id', 'period'])
    .execute();
  await db.schema.createIndex('tasks_status_due').on('tasks').columns(['status', 'due_date']).execute();
  await db.schema.createIndex('tasks_owner').on('tasks').columns(['owner_open_id', 'status']).execute();
  await db.schema.createIndex('tasks_org').on('tasks').columns(['org_id', 'period']).execute();

  await withId(db.schema.createTable('task_events'), dialect)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_open_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('percent', 'integer')
    .addColumn('text', 'text')
    .execute();
  await db.schema.createIndex('task_events_task').on('task_events').columns(['task_id', 'id']).execute();

  await withId(db.schema.createTable('task_evidence'), dialect)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('quarterly_reports'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('owner_open_id', 'text', (c) => c.notNull())
    .addColumn('quarter', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('quarterly_reports_once', ['org_id', 'owner_open_id', 'quarter'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'quarterly_reports',
    'task_evidence',
    'task_events',
    'tasks',
    'duty_owners',
    'duty_items',
    'duty_lists',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
