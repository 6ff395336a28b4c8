/**
 * The weekly 总览: on the first working day of each week from 09:00 (caught up later that week when the
 * bot was down), the roll-up card goes to each upper org's main group — claimed once per org per week.
 * The group card shows each 支部's colour and counts only (no person's name, no item's title); its 查看
 * and 督办 answer privately, and only the upper org's admins (features/rollup/service.ts).
 */
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { findOrgById, listOrgChats } from '../src/db/repositories/orgs.ts';
import { firstWorkdayOfWeek, isoWeek } from '../src/domain/periods.ts';
import { localParts } from '../src/domain/time.ts';
import { postOverview } from '../src/features/rollup/overview.ts';
import { nudgeGate } from '../src/services/ladder.ts';

export default defineJob({
  name: 'rollup-weekly',
  summary: '下级组织总览：每周第一个工作日上午向党委（党总支等）群发送各支部红黄绿情况和图表',
  schedule: '30 9-11 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    const first = firstWorkdayOfWeek(today, ctx.calendar);
    if (!first || today < first || localParts(now, tz).hour < 9) return [];
    const parents = await ctx.db
      .selectFrom('orgs')
      .select('parent_id')
      .distinct()
      .where('parent_id', 'is not', null)
      .orderBy('parent_id')
      .execute();
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const { parent_id } of parents) {
      const orgId = parent_id as number;
      if (!(await mayPost(orgId))) continue;
      out.push({
        subject: `org:${orgId}`,
        occurrence: isoWeek(today).key,
        orgId,
        async deliver(c) {
          const org = await findOrgById(c.db, orgId);
          const chat = (await listOrgChats(c.db, orgId))[0];
          if (org && chat) await postOverview(c, org, { chatId: chat.chatId }, true);
        },
      });
    }
    return out;
  },
});
