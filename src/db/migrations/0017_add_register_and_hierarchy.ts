/**
 * Frozen: the organisation as it is (issue 15).
 *
 * - The members register: 正式党员 or 预备党员 (`category`), membership of the 支部委员会 and the post held
 *   there (`committee_post`), the 党小组 and its 组长, the dates of 入党 and 转正, the post at work, and an
 *   approved exclusion from the 党员大会's 应到 (`quorum_exempt`, its reason). Roles stay the permissions.
 * - The hierarchy: an org's level (`orgs.level`: 党委, 党组, 机关党委, 党总支, 党支部; null when never set)
 *   beside the `parent_id` it always had, and the requests by which a 党委 takes a 支部 under it (the
 *   支部's admins agree on its own group's card).
 * - Pressure passed down: a 支部's duty item 下发 from its 党委's item keeps where it came from.
 * - Attendance by the rules: why an attendee has no vote (`seat`: 预备党员 列席, 不计应到 …) and the
 *   党小组 a 党小组会 is for.
 */
import type { Kysely } from 'kysely';
import { type Dialect, withId } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('members')
    .addColumn('category', 'text', (c) => c.notNull().defaultTo('full'))
    .execute();
  await db.schema.alterTable('members').addColumn('committee_post', 'text').execute();
  await db.schema.alterTable('members').addColumn('party_group', 'text').execute();
  await db.schema
    .alterTable('members')
    .addColumn('group_leader', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('members').addColumn('joined_on', 'text').execute();
  await db.schema.alterTable('members').addColumn('confirmed_on', 'text').execute();
  await db.schema.alterTable('members').addColumn('post', 'text').execute();
  await db.schema.alterTable('members').addColumn('quorum_exempt', 'text').execute();
  await db.schema
    .alterTable('members')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.alterTable('orgs').addColumn('level', 'text').execute();
  await db.schema.createIndex('orgs_parent').on('orgs').column('parent_id').execute();
  await withId(db.schema.createTable('org_links'), dialect)
    .addColumn('parent_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('child_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('org_links_child').on('org_links').columns(['child_id', 'status']).execute();

  await db.schema.alterTable('duty_items').addColumn('source_item_id', 'integer').execute();
  await db.schema.alterTable('duty_items').addColumn('source_org_id', 'integer').execute();
  await db.schema.createIndex('duty_items_source').on('duty_items').column('source_item_id').execute();

  await db.schema.alterTable('session_attendees').addColumn('seat', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('party_group', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against Kysely<any>
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('party_group').execute();
  await db.schema.alterTable('session_attendees').dropColumn('seat').execute();
  await db.schema.dropIndex('duty_items_source').execute();
  await db.schema.alterTable('duty_items').dropColumn('source_org_id').execute();
  await db.schema.alterTable('duty_items').dropColumn('source_item_id').execute();
  await db.schema.dropIndex('org_links_child').execute();
  await db.schema.dropTable('org_links').execute();
  await db.schema.dropIndex('orgs_parent').execute();
  await db.schema.alterTable('orgs').dropColumn('level').execute();
  for (const col of [
    'version',
    'quorum_exempt',
    'post',
    'confirmed_on',
    'joined_on',
    'group_leader',
    'party_group',
    'committee_post',
    'category',
  ]) {
    await db.schema.alterTable('members').dropColumn(col).execute();
  }
}
