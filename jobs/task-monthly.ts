/**
 * 月月提: on the first working day of each month (caught up during the next four), each owner gets
 * one private checklist of their open tasks, with quick buttons. Owners on leave get nothing.
 */

import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { isAway, membersByOpenId } from '../src/db/repositories/members.ts';
import { firstWorkdayOfMonth } from '../src/domain/periods.ts';
import { localParts } from '../src/domain/time.ts';
import { checklistCard } from '../src/features/duties/list.ts';
import { listOrgsWithDuties, listTasks } from '../src/features/duties/repository.ts';
import { nudgeGate } from '../src/services/ladder.ts';

export default defineJob({
  name: 'task-monthly',
  summary: '月月提：每月第一个工作日向每位责任人私信本月待落实任务清单',
  schedule: '0 9-11 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    const first = firstWorkdayOfMonth(today, ctx.calendar);
    if (today < first || today > ctx.calendar.addWorkdays(first, 4) || localParts(now, tz).hour < 9) return [];
    const month = today.slice(0, 7);
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const orgId of await listOrgsWithDuties(ctx.db)) {
      if (!(await mayPost(orgId))) continue;
      const members = await membersByOpenId(ctx.db, orgId);
      const { rows } = await listTasks(ctx.db, orgId, { kind: 'all' });
      const byOwner = new Map<string, typeof rows>();
      for (const r of rows) byOwner.set(r.owner_open_id, [...(byOwner.get(r.owner_open_id) ?? []), r]);
      for (const [openId, list] of byOwner) {
        const m = members.get(openId);
        if (!m || isAway(m, today)) continue;
        out.push({
          subject: `owner:${orgId}:${openId}`,
          occurrence: `monthly:${month}`,
          orgId,
          async deliver(c) {
            const card = checklistCard({ orgId, today, name: m.name, rows: list });
            await c.outbox.send({ openId }, { type: 'card', card }, { orgId });
          },
        });
      }
    }
    return out;
  },
});
