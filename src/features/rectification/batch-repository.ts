/**
 * Inspection batches (巡察/巡视 feedback) and their milestones. The dates given here are stored as
 * they are: batches.ts puts them on working days first.
 */
import type { Kysely } from 'kysely';
import type { BatchMilestone, Database, InspectionBatch } from '../../db/schema.ts';
import type { MilestoneKind } from './model.ts';

export async function createBatch(
  db: Kysely<Database>,
  b: Omit<InspectionBatch, 'id'>,
  milestones: { kind: MilestoneKind; title: string; due: string }[],
): Promise<InspectionBatch> {
  const batch = await db.insertInto('inspection_batches').values(b).returningAll().executeTakeFirstOrThrow();
  if (milestones.length > 0) {
    await db
      .insertInto('batch_milestones')
      .values(
        milestones.map((m) => ({
          batch_id: batch.id,
          org_id: b.org_id,
          kind: m.kind,
          title: m.title,
          due_date: m.due,
          done_at: null,
          done_by: null,
        })),
      )
      .execute();
  }
  return batch;
}

export async function listBatches(db: Kysely<Database>, orgId: number): Promise<InspectionBatch[]> {
  return db.selectFrom('inspection_batches').selectAll().where('org_id', '=', orgId).orderBy('feedback_date').execute();
}

export async function findBatch(db: Kysely<Database>, id: number): Promise<InspectionBatch | undefined> {
  return db.selectFrom('inspection_batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findBatchByName(
  db: Kysely<Database>,
  orgId: number,
  name: string,
): Promise<InspectionBatch | undefined> {
  return db
    .selectFrom('inspection_batches')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function listMilestones(db: Kysely<Database>, batchId: number): Promise<BatchMilestone[]> {
  return db.selectFrom('batch_milestones').selectAll().where('batch_id', '=', batchId).orderBy('due_date').execute();
}

/** Milestones not done whose date lies in [from, to] (all orgs). */
export async function listOpenMilestones(db: Kysely<Database>, from: string, to: string): Promise<BatchMilestone[]> {
  return db
    .selectFrom('batch_milestones')
    .selectAll()
    .where('done_at', 'is', null)
    .where('due_date', '>=', from)
    .where('due_date', '<=', to)
    .orderBy('id')
    .execute();
}

/**
 * Moves a milestone to `due` if its date is still the one read (`before`), in the caller's
 * transaction: false when someone moved it meanwhile.
 */
export async function moveMilestone(
  db: Kysely<Database>,
  before: Pick<BatchMilestone, 'id' | 'due_date'>,
  due: string,
): Promise<boolean> {
  const r = await db
    .updateTable('batch_milestones')
    .set({ due_date: due })
    .where('id', '=', before.id)
    .where('due_date', '=', before.due_date)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a milestone done if it is not yet: false when it already was (someone marked it meanwhile). */
export async function markMilestoneDone(
  db: Kysely<Database>,
  id: number,
  done: { at: string; by: string },
): Promise<boolean> {
  const r = await db
    .updateTable('batch_milestones')
    .set({ done_at: done.at, done_by: done.by })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateMilestone(
  db: Kysely<Database>,
  id: number,
  patch: Partial<Pick<BatchMilestone, 'due_date' | 'done_at' | 'done_by' | 'title'>>,
): Promise<void> {
  await db.updateTable('batch_milestones').set(patch).where('id', '=', id).execute();
}
