/**
 * Items 下发 from an upper org's list to its lower orgs' lists (issue 15 item 4). A copy is an ordinary
 * item of the lower org's list, marked by `source_item_id` / `source_org_id` (0017): the upper item and
 * its org. It is appended after the lower org's own items (the next 序号), so the numbering of the
 * list its 党委 approved stays as it was (issue 18 item 10).
 */
import type { Kysely } from 'kysely';
import type { Database, DutyItem, Task } from '../../db/schema.ts';

/** The active item numbered `seq` on an org's list of `year` (a generated item has no number). */
export async function findItemBySeq(
  db: Kysely<Database>,
  orgId: number,
  year: number,
  seq: number,
): Promise<(DutyItem & { year: number }) | undefined> {
  return db
    .selectFrom('duty_items')
    .innerJoin('duty_lists', 'duty_lists.id', 'duty_items.list_id')
    .selectAll('duty_items')
    .select('duty_lists.year')
    .where('duty_items.org_id', '=', orgId)
    .where('duty_lists.year', '=', year)
    .where('duty_items.seq', '=', seq)
    .where('duty_items.active', '=', 1)
    .where('duty_items.generated_by', 'is', null)
    .orderBy('duty_items.id')
    .executeTakeFirst();
}

/**
 * Takes the item's write lock for the rest of the transaction (a no-op UPDATE, as versioned.ts
 * `lockRow` does): two 下发 of one item at once run one after the other, and the second finds the
 * copies the first made.
 */
export async function lockDutyItem(db: Kysely<Database>, id: number): Promise<void> {
  await db
    .updateTable('duty_items')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('id', '=', id)
    .execute();
}

/** An org's copy of an upper item, active or not (a 下发 is made once). */
export async function findCopy(db: Kysely<Database>, orgId: number, sourceItemId: number) {
  return db
    .selectFrom('duty_items')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('source_item_id', '=', sourceItemId)
    .executeTakeFirst();
}

/**
 * The active copies of `sourceItemIds` held by orgs under `parentId` now: an org taken from under the
 * 党委 since is no longer shown to it.
 */
export async function listCopies(db: Kysely<Database>, sourceItemIds: readonly number[], parentId: number) {
  if (sourceItemIds.length === 0) return [];
  return db
    .selectFrom('duty_items')
    .innerJoin('orgs', 'orgs.id', 'duty_items.org_id')
    .selectAll('duty_items')
    .select('orgs.name as org_name')
    .where('duty_items.source_item_id', 'in', [...sourceItemIds])
    .where('orgs.parent_id', '=', parentId)
    .where('duty_items.active', '=', 1)
    .orderBy('orgs.id')
    .execute();
}

export async function listTasksOfItems(db: Kysely<Database>, itemIds: readonly number[]): Promise<Task[]> {
  if (itemIds.length === 0) return [];
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('item_id', 'in', [...itemIds])
    .orderBy('id')
    .execute();
}

export async function listOwnersOfItems(db: Kysely<Database>, itemIds: readonly number[]) {
  if (itemIds.length === 0) return [];
  return db
    .selectFrom('duty_owners')
    .select(['item_id', 'open_id', 'name'])
    .where('item_id', 'in', [...itemIds])
    .orderBy('name')
    .execute();
}

/** The evidence of tasks (kind and name only: a note's text is the 支部's own words). */
export async function listEvidenceOfTasks(db: Kysely<Database>, taskIds: readonly number[]) {
  if (taskIds.length === 0) return [];
  return db
    .selectFrom('task_evidence')
    .select(['task_id', 'kind', 'name'])
    .where('task_id', 'in', [...taskIds])
    .orderBy('id')
    .execute();
}

/** The names of orgs by id. */
export async function orgNames(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('orgs')
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
