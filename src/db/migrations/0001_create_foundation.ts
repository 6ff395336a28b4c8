/** Frozen: the foundation tables. Never edit a merged migration; add the next one. */
import { type Kysely, sql } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('orgs'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('parent_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('chat_bindings')
    .addColumn('chat_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('chat_name', 'text')
    .addColumn('bound_by', 'text', (c) => c.notNull())
    .addColumn('bound_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_bindings_org').on('chat_bindings').column('org_id').execute();

  await withId(db.schema.createTable('members'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('away_until', 'text')
    .addColumn('away_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('members_org_open_id', ['org_id', 'open_id'])
    .execute();
  await db.schema.createIndex('members_open_id').on('members').column('open_id').execute();

  await db.schema
    .createTable('processed_events')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('processed_events_received').on('processed_events').column('received_at').execute();

  await withId(db.schema.createTable('outbox'), dialect)
    .addColumn('org_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('ref_outbox_id', 'integer', (c) => c.references('outbox.id'))
    .addColumn('msg_type', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('uuid', 'text', (c) => c.notNull().unique())
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('coalesce_key', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_coalesce').on('outbox').columns(['coalesce_key', 'status']).execute();
  await db.schema.createIndex('outbox_ref').on('outbox').column('ref_outbox_id').execute();

  await db.schema
    .createTable('reminder_claims')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('audit_log'), dialect)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('args', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('audit_log_org_at').on('audit_log').columns(['org_id', 'at']).execute();

  await db.schema
    .createTable('unreachable_targets')
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('code', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'integer')
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unreachable_targets_pk', ['target_type', 'target_id'])
    .execute();

  await db.schema
    .createTable('holiday_overrides')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_started_at', 'text')
    .addColumn('last_finished_at', 'text')
    .addColumn('last_as_of', 'text')
    .addColumn('last_result', 'text')
    .execute();

  if (dialect === 'sqlite') {
    // Append-only audit log: the database itself refuses edits and deletions.
    await sqlTrigger(
      db,
      `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
    );
    await sqlTrigger(
      db,
      `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
    );
  } else {
    await sqlTrigger(
      db,
      `CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql`,
    );
    await sqlTrigger(
      db,
      `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    );
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
async function sqlTrigger(db: Kysely<any>, statement: string): Promise<void> {
  await sql.raw(statement).execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const t of [
    'job_runs',
    'holiday_overrides',
    'unreachable_targets',
    'audit_log',
    'reminder_claims',
    'outbox',
    'processed_events',
    'members',
    'chat_bindings',
    'orgs',
  ]) {
    await db.schema.dropTable(t).execute();
  }
  if (dialect === 'postgres') {
    await sql.raw('DROP FUNCTION IF EXISTS audit_log_append_only()').execute(db);
  }
}
