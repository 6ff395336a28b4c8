/**
 * Frozen: the 组织生活会 / 民主生活会 pipeline (issue 16 item 3): one per org, year and kind, with its
 * stages' due dates and completion (JSON), the opinions collected (anonymous ones keep no author at all),
 * the 对照检查材料 handed in, and the 民主评议党员 ballot — who has voted, apart from the tallies of grades
 * per member, so that no row ever ties a voter to a vote.
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('life_pipelines'), dialect)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('session_id', 'integer')
    .addColumn('stages', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('life_pipelines_org_year_kind', ['org_id', 'year', 'kind'])
    .execute();
  await withId(db.schema.createTable('pipeline_opinions'), dialect)
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('life_pipelines.id'))
    .addColumn('author_open_id', 'text')
    .addColumn('author_name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_on', 'text', (c) => c.notNull())
    .execute();
  await withId(db.schema.createTable('pipeline_materials'), dialect)
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('life_pipelines.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ballot_voters')
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('life_pipelines.id'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('voted_on', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ballot_voters_pk', ['pipeline_id', 'open_id'])
    .execute();
  await db.schema
    .createTable('ballot_tallies')
    .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('life_pipelines.id'))
    .addColumn('subject_open_id', 'text', (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('ballot_tallies_pk', ['pipeline_id', 'subject_open_id', 'grade'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ballot_tallies', 'ballot_voters', 'pipeline_materials', 'pipeline_opinions', 'life_pipelines'])
    await db.schema.dropTable(t).execute();
}
