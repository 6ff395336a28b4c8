/**
 * Keeps the responsibility list's tasks in step with the calendar, as of now: each recurring item
 * gets this period's task for each owner (sent as a card); a task whose item names a meeting to hold
 * ("每月召开支委会") is completed by a held one of its period, linked as its evidence (关联记录); and
 * an occurrence whose period ended undone is recorded as missed (未完成) — it stays missed; the next
 * period starts fresh.
 */
import { defineJob } from '../src/core/contracts.ts';
import { lockRow } from '../src/db/repositories/versioned.ts';
import { linkedKindOf } from '../src/features/duties/linked.ts';
import { periodOf } from '../src/features/duties/model.ts';
import {
  addTaskEvent,
  findDutyItem,
  listActiveDutyItems,
  listOpenTasksDueBefore,
  listOpenTasksOfItem,
  updateTask,
} from '../src/features/duties/repository.ts';
import { missTask } from '../src/features/duties/rules.ts';
import {
  ensureOccurrences,
  linkHeldRecord,
  refreshBoards,
  refreshTaskCards,
  sendTaskCard,
} from '../src/features/duties/service.ts';

export default defineJob({
  name: 'task-occurrences',
  summary: '按周期生成本期责任任务，关联已召开的会议记录，并把上期未完成的任务记为未完成',
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
    // Linked records first (issue 13 item 3): an item naming a meeting to hold is completed by a held
    // one of the period, so a meeting held on a period's last day still counts before the period is
    // judged. A held one waiting for its minutes (within their due date) holds the period open, as
    // does a yearly 组织生活会 not yet held by February (linked.ts).
    let linked = 0;
    const waiting = new Set<number>();
    for (const item of await listActiveDutyItems(ctx.db)) {
      if (!linkedKindOf(item)) continue;
      for (const t of await listOpenTasksOfItem(ctx.db, item.id)) {
        if (periodOf(item.cadence, t.due_date).start > today) continue;
        const r = await linkHeldRecord(ctx, t, item);
        if (r.linked) {
          linked++;
          orgs.add(item.org_id);
        } else if (r.holdOpen) waiting.add(t.id);
      }
    }
    for (const t of await listOpenTasksDueBefore(ctx.db, today)) {
      if (t.period === 'once' || waiting.has(t.id)) continue;
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
    return `生成本期任务 ${created} 项，${linked ? `关联会议记录完成 ${linked} 项，` : ''}记为未完成 ${missed} 项`;
  },
});
