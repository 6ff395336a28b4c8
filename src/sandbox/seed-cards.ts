/**
 * After the demo is seeded (and the jobs have run as of the sandbox's clock), every card the seeding
 * posted is redrawn through the live-card mechanism, as the bot does after a click: what a visitor
 * sees first is what the data says (the counts, statuses and 补正 of each item, task, meeting and
 * board), never a card drawn halfway through the seeding.
 */
import { sql } from 'kysely';
import { findTask } from '../features/duties/repository.ts';
import { refreshBoards, refreshTaskCards } from '../features/duties/service.ts';
import { refreshSessionCards } from '../features/meetings/refresh.ts';
import { findSession } from '../features/meetings/repository.ts';
import { refreshItemCards } from '../features/rectification/refresh.ts';
import { findRectification } from '../features/rectification/repository.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

/** Redraws every live card of the demo org; returns how many subjects were redrawn. */
export async function redrawSeededCards(d: SeedDeps): Promise<number> {
  let redrawn = 0;
  await seedInTransaction(d, async ({ trx, withRole, as }) => {
    const ctx = as(withRole('secretary'));
    const subjects = await trx
      .selectFrom('cards')
      .select(['kind', 'subject_id'])
      .where('org_id', '=', d.org.id)
      .groupBy(['kind', 'subject_id'])
      .orderBy(sql`min(id)`)
      .execute();
    const items = new Set<number>();
    for (const s of subjects) {
      if (s.kind === 'rect_item' || s.kind === 'rect_review') {
        // One refresh draws both the owner's and the reviewers' cards of an item.
        if (items.has(s.subject_id)) continue;
        items.add(s.subject_id);
        const item = await findRectification(trx, s.subject_id);
        if (item) await refreshItemCards(ctx, item);
      } else if (s.kind === 'task') {
        const task = await findTask(trx, s.subject_id);
        if (task) await refreshTaskCards(ctx, task);
      } else if (s.kind === 'task_board') {
        await refreshBoards(ctx, s.subject_id);
      } else if (s.kind === 'session') {
        const session = await findSession(trx, s.subject_id);
        if (session) await refreshSessionCards(ctx, session);
      } else continue;
      redrawn++;
    }
  });
  return redrawn;
}
