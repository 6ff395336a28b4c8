/**
 * Keeps the responsibility list's tasks in step with the calendar, as of now: each recurring item
 * gets this period's task for each owner (sent as a card), and an occurrence whose period ended
 * undone is recorded as missed (未完成) — it stays missed; the next period starts fresh.
 */
import { defineJob } from '../src/core/contracts.ts';
import { lockRow } from '../src/db/repositories/versioned.ts';
import { periodOf } from '../src/features/duties/model.ts';
import {
  addTaskEvent,
  findDutyItem,
  listActiveDutyItems,
  listOpenTasksDueBefore,
  updateTask,
} from '../src/features/duties/repository.ts';
import { missTask } from '../src/features/duties/rules.ts';
import { ensureOccurrences, refreshBoards, refreshTaskCards, sendTaskCard } from '../src/features/duties/service.ts';

export default defineJob({
  name: 'task-occurrences',
  summary: '按周期生成本期责任任务，并把上期未完成的任务记为未完成',
  schedule: '10 0,8 * * *',
  async run(ctx) {
    const today = ctx.today;
    let created = 0;
    let missed = 0;
    const orgs = new Set<number>();
    for (const item of await listActiveDutyItems(ctx.db)) {
      if (item.cadence === 'once') continue;
      for (const t of await ensureOccurrences(ctx, item, today)) {
        await sendTaskCard(ctx, t, { openId: t.owner_open_id });
        created++;
        orgs.add(item.org_id);
      }
    }
    for (const t of await listOpenTasksDueBefore(ctx.db, today)) {
      if (t.period === 'once') continue;
      const item = await findDutyItem(ctx.db, t.item_id);
      if (!item) continue;
      const period = periodOf(item.cadence, t.due_date);
      if (!missTask(t, period, today)) continue;
      // Decided on the task as it is now, locked: a 已完成 clicked meanwhile stays done.
      const current = await lockRow(ctx.db, 'tasks', t.id);
      const change = current && missTask(current, period, today);
      if (!current || !change) continue;
      const after = await updateTask(ctx.db, current, { ...change.update, updated_at: ctx.now.toISOString() });
      await addTaskEvent(ctx.db, {
        task_id: t.id,
        at: ctx.now.toISOString(),
        actor_open_id: 'system',
        actor_name: '清风',
        kind: change.history.kind,
        status: after.status,
        percent: t.percent,
        text: change.history.text ?? null,
      });
      await ctx.audit({
        action: 'task:missed',
        subject: `task:${t.id}`,
        before: { status: t.status },
        after: { status: after.status },
      });
      await refreshTaskCards(ctx, after);
      missed++;
      orgs.add(t.org_id);
    }
    for (const orgId of orgs) await refreshBoards(ctx, orgId);
    return `生成本期任务 ${created} 项，记为未完成 ${missed} 项`;
  },
});
