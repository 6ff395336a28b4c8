/**
 * 节前廉政提醒: 3–5 working days before each statutory holiday (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节,
 * 国庆节) — posted on the fifth working day before it, caught up until the third — a card to each org's
 * group from its editable template (清明节: 文明祭扫), and a task for the inspector to follow up. Two
 * holidays within a week (中秋节、国庆节) get one reminder. The task is generated: it stays outside the
 * formal 主体责任清单 (no 序号, not in /清单, its 台账, the board or the 季季报), while the inspector is
 * reminded of it and reports on it as on any task. A year without a holiday table is reminded on its
 * estimated dates, marked 预计 (the operators are told by `holiday-check`). The card is keyed
 * with the delivery's claim key, so the year's report counts a reminder as sent only when its card
 * went to the group chat (an org with no group chat bound gets the inspector's task, no card).
 */

import { buildHolidayReminderCard } from '../src/cards/notice-cards.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { claimKeyString } from '../src/db/repositories/claims.ts';
import { listMembers } from '../src/db/repositories/members.ts';
import { listOrgChats, listOrgs, orgSettings } from '../src/db/repositories/orgs.ts';
import { combineNearbyHolidays, holidayDisplayName, isRemembranceDay } from '../src/domain/holiday-estimate.ts';
import { addDays } from '../src/domain/time.ts';
import { createDuty } from '../src/features/duties/service.ts';
import { DEFAULT_HOLIDAY_TEMPLATE } from '../src/services/holiday-reminder.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const JOB = 'holiday-reminder';

export default defineJob({
  name: JOB,
  summary: '节前廉政提醒：法定节假日前 3–5 个工作日在群内提醒，并给纪检委员生成督促任务',
  schedule: '0 9,10,14 * * *',
  async collect(ctx, now) {
    const today = ctx.today;
    const year = Number(today.slice(0, 4));
    const planned = [...ctx.calendar.plannedHolidays(year), ...ctx.calendar.plannedHolidays(year + 1)].map((h) => ({
      ...h,
      name: holidayDisplayName(h.name),
    }));
    const holidays = combineNearbyHolidays(planned).filter((h) => {
      const from = ctx.calendar.addWorkdays(h.start, -5);
      const to = ctx.calendar.addWorkdays(h.start, -3);
      return today >= from && today <= to;
    });
    if (holidays.length === 0) return [];
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const org of await listOrgs(ctx.db)) {
      if (!(await mayPost(org.id))) continue;
      for (const h of holidays) {
        const subject = `org:${org.id}`;
        // By year, not date: an estimated date that the imported table moves must not remind twice.
        const occurrence = `${h.name}@${h.start.slice(0, 4)}`;
        out.push({
          subject,
          occurrence,
          orgId: org.id,
          async deliver(c) {
            const template = (orgSettings(org).holidayTemplate as string | undefined) ?? DEFAULT_HOLIDAY_TEMPLATE;
            const chat = (await listOrgChats(c.db, org.id))[0];
            if (chat)
              await c.outbox.send(
                { chatId: chat.chatId },
                {
                  type: 'card',
                  card: buildHolidayReminderCard({
                    template,
                    holiday: h.name,
                    start: h.start,
                    end: h.end,
                    estimated: h.estimated,
                  }),
                },
                // The claim's own key: the report finds the card (and whether it was sent) by it.
                { orgId: org.id, key: claimKeyString({ job: JOB, subject, occurrence }) },
              );
            const inspectors = (await listMembers(c.db, org.id)).filter((m) => m.role === 'inspector');
            if (inspectors.length === 0) return;
            // The delivery's own context (its transaction, outbox and live cards), acting as the bot.
            const acting = {
              ...c,
              org,
              actor: { openId: 'system', name: '清风', role: 'secretary' as const, isBotAdmin: false },
            };
            await createDuty(acting, {
              content: isRemembranceDay(h.name)
                ? `${h.name}节前廉政提醒：督促文明祭扫、廉洁过节，节日期间做好监督检查`
                : `${h.name}节前廉政提醒：督促落实中央八项规定精神，节日期间做好监督检查`,
              category: '纪律建设',
              leader: '',
              cadence: 'once',
              dueDate: addDays(h.start, -1),
              dueDay: null,
              evidence: '提醒记录、检查情况',
              owners: inspectors.map((m) => ({ openId: m.open_id, name: m.name })),
              // Not an item of the 主体责任清单 the 党委 approved: the inspector's task lives outside it.
              generatedBy: JOB,
            });
          },
        });
      }
    }
    return out;
  },
});
