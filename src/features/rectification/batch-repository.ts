/** Inspection batches (巡察/巡视 feedback) and their milestones. */
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

export async function updateMilestone(
  db: Kysely<Database>,
  id: number,
  patch: Partial<Pick<BatchMilestone, 'due_date' | 'done_at' | 'done_by' | 'title'>>,
): Promise<void> {
  await db.updateTable('batch_milestones').set(patch).where('id', '=', id).execute();
}
