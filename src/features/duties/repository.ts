/** The responsibility list: lists, items and their owners, tasks (item × owner × period), reports. */
import type { Kysely } from 'kysely';
import { updateVersioned } from '../../db/repositories/versioned.ts';
import type { Database, DutyItem, DutyItemsTable, Task, TaskEvent, TasksTable } from '../../db/schema.ts';
import { OPEN_TASK_STATUSES, type TaskEvidenceKind, type TaskStatus } from './model.ts';

export async function ensureDutyList(db: Kysely<Database>, orgId: number, year: number, at: string) {
  await db
    .insertInto('duty_lists')
    .values({ org_id: orgId, year, title: `${year}年全面从严治党主体责任清单`, created_at: at })
    .onConflict((oc) => oc.columns(['org_id', 'year']).doNothing())
    .execute();
  return db
    .selectFrom('duty_lists')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('year', '=', year)
    .executeTakeFirstOrThrow();
}

export async function createDutyItem(
  db: Kysely<Database>,
  v: Omit<DutyItemsTable, 'id' | 'active' | 'seq' | 'source_item_id' | 'source_org_id'> & {
    seq?: number;
    source_item_id?: number | null;
    source_org_id?: number | null;
  },
) {
  const seq =
    v.seq ??
    Number(
      (
        await db
          .selectFrom('duty_items')
          .select((eb) => eb.fn.max<number>('seq').as('m'))
          .where('list_id', '=', v.list_id)
          .executeTakeFirst()
      )?.m ?? 0,
    ) + 1;
  return db
    .insertInto('duty_items')
    .values({ ...v, seq, active: 1, source_item_id: v.source_item_id ?? null, source_org_id: v.source_org_id ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateDutyItem(db: Kysely<Database>, id: number, patch: Partial<Omit<DutyItemsTable, 'id'>>) {
  return db.updateTable('duty_items').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findDutyItem(db: Kysely<Database>, id: number): Promise<DutyItem | undefined> {
  return db.selectFrom('duty_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDutyItemByKey(
  db: Kysely<Database>,
  orgId: number,
  key: string,
): Promise<DutyItem | undefined> {
  return db
    .selectFrom('duty_items')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('import_key', '=', key)
    .executeTakeFirst();
}

export async function listDutyItems(db: Kysely<Database>, orgId: number, year?: number): Promise<DutyItem[]> {
  let q = db
    .selectFrom('duty_items')
    .selectAll('duty_items')
    .where('duty_items.org_id', '=', orgId)
    .where('active', '=', 1);
  if (year !== undefined)
    q = q.innerJoin('duty_lists', 'duty_lists.id', 'duty_items.list_id').where('duty_lists.year', '=', year);
  return q.orderBy('duty_items.seq').orderBy('duty_items.id').execute();
}

/** Active recurring and one-off items of every org (for the occurrence job). */
export async function listActiveDutyItems(db: Kysely<Database>): Promise<DutyItem[]> {
  return db.selectFrom('duty_items').selectAll().where('active', '=', 1).orderBy('id').execute();
}

export async function listOwners(db: Kysely<Database>, itemId: number): Promise<{ open_id: string; name: string }[]> {
  return db
    .selectFrom('duty_owners')
    .select(['open_id', 'name'])
    .where('item_id', '=', itemId)
    .orderBy('name')
    .execute();
}

export async function addOwner(
  db: Kysely<Database>,
  itemId: number,
  owner: { openId: string; name: string },
): Promise<boolean> {
  const r = await db
    .insertInto('duty_owners')
    .values({ item_id: itemId, open_id: owner.openId, name: owner.name })
    .onConflict((oc) => oc.columns(['item_id', 'open_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The task of an owner for a period, created when missing. */
export async function ensureTask(
  db: Kysely<Database>,
  t: {
    orgId: number;
    itemId: number;
    ownerOpenId: string;
    ownerName: string;
    period: string;
    dueDate: string;
    at: string;
  },
): Promise<{ task: Task; created: boolean }> {
  const r = await db
    .insertInto('tasks')
    .values({
      org_id: t.orgId,
      item_id: t.itemId,
      owner_open_id: t.ownerOpenId,
      owner_name: t.ownerName,
      period: t.period,
      due_date: t.dueDate,
      status: 'not_started',
      percent: 0,
      late: 0,
      done_at: null,
      version: 1,
      created_at: t.at,
      updated_at: t.at,
    })
    .onConflict((oc) => oc.columns(['item_id', 'owner_open_id', 'period']).doNothing())
    .executeTakeFirst();
  const task = await db
    .selectFrom('tasks')
    .selectAll()
    .where('item_id', '=', t.itemId)
    .where('owner_open_id', '=', t.ownerOpenId)
    .where('period', '=', t.period)
    .executeTakeFirstOrThrow();
  return { task, created: Number(r.numInsertedOrUpdatedRows ?? 0) === 1 };
}

export async function findTask(db: Kysely<Database>, id: number): Promise<Task | undefined> {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Changes the task as it was read (`before`); throws `StaleError` when it changed since (versioned.ts). */
export async function updateTask(
  db: Kysely<Database>,
  before: Pick<Task, 'id' | 'version'>,
  patch: Partial<Omit<TasksTable, 'id' | 'version'>>,
): Promise<Task> {
  return updateVersioned(db, 'tasks', before, patch);
}

export type TaskFilter =
  | { kind: 'mine'; openId: string }
  | { kind: 'overdue'; today: string }
  | { kind: 'all' }
  | { kind: 'owner'; openId: string }
  | { kind: 'category'; category: string };

/** Open tasks (and, for `all`, this year's) with their item, newest period first. */
export async function listTasks(db: Kysely<Database>, orgId: number, f: TaskFilter, page = { limit: 1000, offset: 0 }) {
  let q = db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .where('tasks.org_id', '=', orgId);
  if (f.kind === 'mine' || f.kind === 'owner')
    q = q.where('tasks.owner_open_id', '=', f.openId).where('tasks.status', 'in', [...OPEN_TASK_STATUSES]);
  if (f.kind === 'overdue')
    q = q.where('tasks.status', 'in', [...OPEN_TASK_STATUSES]).where('tasks.due_date', '<', f.today);
  if (f.kind === 'category')
    q = q.where('duty_items.category', '=', f.category).where('tasks.status', 'in', [...OPEN_TASK_STATUSES]);
  if (f.kind === 'all') q = q.where('tasks.status', 'in', [...OPEN_TASK_STATUSES]);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('tasks')
    .select(['duty_items.content', 'duty_items.category', 'duty_items.cadence', 'duty_items.evidence'])
    .orderBy('tasks.due_date')
    .orderBy('tasks.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(total.n) };
}

/**
 * How many of an org's tasks due in [from, to] (one owner's or one category's, when given) stand in
 * each status, by due date (the caller tells overdue ones apart).
 */
export async function countTasks(
  db: Kysely<Database>,
  orgId: number,
  o: { from: string; to: string; openId?: string; category?: string },
): Promise<{ status: TaskStatus; due_date: string; n: number }[]> {
  let q = db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .where('tasks.org_id', '=', orgId)
    .where('tasks.due_date', '>=', o.from)
    .where('tasks.due_date', '<=', o.to);
  if (o.openId !== undefined) q = q.where('tasks.owner_open_id', '=', o.openId);
  if (o.category !== undefined) q = q.where('duty_items.category', '=', o.category);
  const rows = await q
    .select(['tasks.status', 'tasks.due_date', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['tasks.status', 'tasks.due_date'])
    .execute();
  return rows.map((r) => ({ status: r.status, due_date: r.due_date, n: Number(r.n) }));
}

/** Open tasks due in [from, to] (all orgs): the ladder's candidates, through the (status, due_date) index. */
export async function listOpenTasksByDue(db: Kysely<Database>, from: string, to: string) {
  return db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .selectAll('tasks')
    .select(['duty_items.content'])
    .where('tasks.status', 'in', [...OPEN_TASK_STATUSES])
    .where('tasks.due_date', '>=', from)
    .where('tasks.due_date', '<=', to)
    .orderBy('tasks.id')
    .execute();
}

/** Every task of an org whose due date falls in [from, to] (roll-ups, boards, exports). */
export async function listTasksDueIn(db: Kysely<Database>, orgId: number, from: string, to: string) {
  return db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .selectAll('tasks')
    .select(['duty_items.content', 'duty_items.category', 'duty_items.cadence', 'duty_items.leader', 'duty_items.seq'])
    .where('tasks.org_id', '=', orgId)
    .where('tasks.due_date', '>=', from)
    .where('tasks.due_date', '<=', to)
    .orderBy('duty_items.seq')
    .orderBy('tasks.owner_name')
    .orderBy('tasks.due_date')
    .orderBy('tasks.id')
    .execute();
}

/** The open tasks of an item (every owner and period): the occurrence job's linked-record check. */
export async function listOpenTasksOfItem(db: Kysely<Database>, itemId: number): Promise<Task[]> {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('status', 'in', [...OPEN_TASK_STATUSES])
    .orderBy('id')
    .execute();
}

/** Open tasks past their due date, for marking missed occurrences. */
export async function listOpenTasksDueBefore(db: Kysely<Database>, before: string): Promise<Task[]> {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('status', 'in', [...OPEN_TASK_STATUSES])
    .where('due_date', '<', before)
    .orderBy('id')
    .execute();
}

export async function addTaskEvent(db: Kysely<Database>, e: Omit<TaskEvent, 'id'>): Promise<void> {
  await db.insertInto('task_events').values(e).execute();
}

export async function listTaskEvents(db: Kysely<Database>, taskId: number): Promise<TaskEvent[]> {
  return db.selectFrom('task_events').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
}

export async function addTaskEvidence(
  db: Kysely<Database>,
  e: { task_id: number; kind: TaskEvidenceKind; value: string; name: string; added_by: string; at: string },
): Promise<void> {
  await db.insertInto('task_evidence').values(e).execute();
}

export async function listTaskEvidence(db: Kysely<Database>, taskId: number) {
  return db.selectFrom('task_evidence').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
}

export async function saveQuarterlyReport(
  db: Kysely<Database>,
  r: { orgId: number; ownerOpenId: string; quarter: string; text: string; evidence: string; at: string },
): Promise<boolean> {
  const existing = await findQuarterlyReport(db, r.orgId, r.ownerOpenId, r.quarter);
  if (existing) {
    await db
      .updateTable('quarterly_reports')
      .set({ text: r.text, evidence: r.evidence, submitted_at: r.at })
      .where('id', '=', existing.id)
      .execute();
    return false;
  }
  await db
    .insertInto('quarterly_reports')
    .values({
      org_id: r.orgId,
      owner_open_id: r.ownerOpenId,
      quarter: r.quarter,
      text: r.text,
      evidence: r.evidence,
      submitted_at: r.at,
    })
    .execute();
  return true;
}

export async function findQuarterlyReport(db: Kysely<Database>, orgId: number, openId: string, quarter: string) {
  return db
    .selectFrom('quarterly_reports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('owner_open_id', '=', openId)
    .where('quarter', '=', quarter)
    .executeTakeFirst();
}

export async function listQuarterlyReports(db: Kysely<Database>, orgId: number, quarter: string) {
  return db
    .selectFrom('quarterly_reports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('quarter', '=', quarter)
    .execute();
}

/** Orgs that have at least one active responsibility item. */
export async function listOrgsWithDuties(db: Kysely<Database>): Promise<number[]> {
  const rows = await db.selectFrom('duty_items').select('org_id').distinct().where('active', '=', 1).execute();
  return rows.map((r) => r.org_id);
}
