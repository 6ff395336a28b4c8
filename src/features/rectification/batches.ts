/** Inspection batches: the card view with milestones and the state of the batch's items. */
import type { Kysely } from 'kysely';
import type { Database, InspectionBatch } from '../../db/schema.ts';
import type { BatchView } from './batch-card.ts';
import { listMilestones } from './batch-repository.ts';
import { rectStatusCounts } from './list.ts';
import { deadlineText } from './model.ts';
import { countRectifications } from './repository.ts';

export async function batchView(db: Kysely<Database>, batch: InspectionBatch, today: string): Promise<BatchView> {
  const milestones = await listMilestones(db, batch.id);
  const counted = await countRectifications(db, batch.org_id, { kind: 'batch', batchId: batch.id }, today);
  return {
    name: batch.name,
    source: batch.source,
    feedbackDate: batch.feedback_date,
    milestones: milestones.map((m, i) => ({
      n: i + 1,
      title: m.title,
      due: m.due_date,
      done: m.done_at !== null,
      note: m.done_at ? '已完成' : deadlineText(m.due_date, { today }),
    })),
    counts: rectStatusCounts(counted),
  };
}
