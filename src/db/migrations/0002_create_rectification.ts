/**
 * Frozen: the rectification ledger (batches, milestones, items, history, evidence, extension
 * requests), plus three shared tables later features reuse: `cards` (which messages show which
 * subject, to update them in place), `outbox_files` (bytes of files to upload and send) and
 * `pending_imports` (parsed spreadsheets waiting for 确认导入).
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('inspection_batches'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('feedback_date', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('inspection_batches_org_name', ['org_id', 'name'])
    .execute();

  await withId(db.schema.createTable('batch_milestones'), dialect)
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('inspection_batches.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .execute();
  await db.schema.createIndex('batch_milestones_due').on('batch_milestones').columns(['done_at', 'due_date']).execute();

  await withId(db.schema.createTable('rectifications'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('batch_id', 'integer', (c) => c.references('inspection_batches.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('measures', 'text', (c) => c.notNull())
    .addColumn('leader', 'text', (c) => c.notNull())
    .addColumn('owner_open_id', 'text', (c) => c.notNull())
    .addColumn('owner_name', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('reviewer_open_id', 'text')
    .addColumn('reviewer_name', 'text')
    .addColumn('import_key', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('rectifications_import_key', ['org_id', 'import_key'])
    .execute();
  await db.schema.createIndex('rectifications_org_status').on('rectifications').columns(['org_id', 'status']).execute();
  await db.schema
    .createIndex('rectifications_status_deadline')
    .on('rectifications')
    .columns(['status', 'deadline'])
    .execute();
  await db.schema
    .createIndex('rectifications_owner')
    .on('rectifications')
    .columns(['owner_open_id', 'status'])
    .execute();

  await withId(db.schema.createTable('rectification_events'), dialect)
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rectifications.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_open_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer')
    .addColumn('text', 'text')
    .execute();
  await db.schema
    .createIndex('rectification_events_item')
    .on('rectification_events')
    .columns(['item_id', 'id'])
    .execute();

  await withId(db.schema.createTable('rectification_evidence'), dialect)
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rectifications.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rectification_evidence_item').on('rectification_evidence').column('item_id').execute();

  await withId(db.schema.createTable('extension_requests'), dialect)
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rectifications.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('old_deadline', 'text', (c) => c.notNull())
    .addColumn('new_deadline', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('extension_requests_item')
    .on('extension_requests')
    .columns(['item_id', 'status'])
    .execute();

  await withId(db.schema.createTable('cards'), dialect)
    .addColumn('org_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull())
    .addColumn('outbox_id', 'integer', (c) => c.notNull().references('outbox.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cards_subject').on('cards').columns(['kind', 'subject_id']).execute();

  await db.schema
    .createTable('outbox_files')
    .addColumn('outbox_id', 'integer', (c) => c.primaryKey().references('outbox.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_type', 'text', (c) => c.notNull())
    .addColumn('bytes', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('file_key', 'text')
    .execute();

  await withId(db.schema.createTable('pending_imports'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'pending_imports',
    'outbox_files',
    'cards',
    'extension_requests',
    'rectification_evidence',
    'rectification_events',
    'rectifications',
    'batch_milestones',
    'inspection_batches',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
