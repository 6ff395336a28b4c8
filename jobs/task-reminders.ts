/** Overdue tasks follow the same ladder as rectifications (T−3, T0, T+1, T+3), each step once per due date. */
import { defineJob } from '../src/core/contracts.ts';
import { lockRow } from '../src/db/repositories/versioned.ts';
import { addDays } from '../src/domain/time.ts';
import { listOpenTasksByDue, updateTask } from '../src/features/duties/repository.ts';
import { refreshTaskCards, sendTaskCard } from '../src/features/duties/service.ts';
import { type LadderTarget, ladderDeliveries } from '../src/services/ladder.ts';

export default defineJob({
  name: 'task-reminders',
  summary: '责任任务逾期提醒：与整改相同的提醒阶梯',
  schedule: '*/15 8-19 * * *',
  async collect(ctx, now) {
    const today = ctx.today;
    const tasks = await listOpenTasksByDue(ctx.db, addDays(today, -40), addDays(today, 25));
    const targets = tasks.map(
      (t): LadderTarget => ({
        subject: `task:${t.id}`,
        orgId: t.org_id,
        deadline: t.due_date,
        ownerOpenId: t.owner_open_id,
        ownerName: t.owner_name,
        label: `责任任务 #${t.id}「${t.content.slice(0, 30)}」`,
        sendCard: (c) => sendTaskCard(c, t, { openId: t.owner_open_id }),
        onOverdue: async (c) => {
          const current = await lockRow(c.db, 'tasks', t.id);
          if (!current || current.late === 1) return;
          await refreshTaskCards(c, await updateTask(c.db, current, { late: 1 }));
        },
      }),
    );
    return ladderDeliveries(ctx, now, today, targets);
  },
});
