/**
 * The compliance calendar, as of now, each notice claimed once (src/features/meetings/compliance.ts):
 * - the missed-cycle detector, counting only held meetings: near a period's end a scheduled one softens
 *   the warning into a due-date reminder; a half-year window is reminded when it opens, warned before
 *   it closes and escalated after; a month without a held 主题党日 is flagged after it;
 * - 纪要待补: a held meeting whose minutes are overdue, to its organiser;
 * - 主题党日 on its fixed day (the working day before it when the day is off): a card in the group.
 */
import { buildThemeDayCard } from '../src/cards/notice-cards.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import type { Outgoing } from '../src/core/message.ts';
import type { Role } from '../src/core/roles.ts';
import { listMembers } from '../src/db/repositories/members.ts';
import { listOrgChats } from '../src/db/repositories/orgs.ts';
import { addMonths, zonedInstant } from '../src/domain/time.ts';
import { recordOf, themeDayOf } from '../src/features/meetings/calendar.ts';
import { minutesOverdueNotice, owedRules, ruleNotices } from '../src/features/meetings/compliance.ts';
import { MINUTES_DUE_WORKDAYS } from '../src/features/meetings/held.ts';
import { citationOf } from '../src/features/meetings/model.ts';
import { listEnabledRules, listScheduledBetween } from '../src/features/meetings/repository.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const DAY = 24 * 3600_000;

/** Sends `message` privately to the org's members holding one of `roles`. */
function toRoles(orgId: number, roles: readonly Role[], message: Outgoing): Delivery['deliver'] {
  return async (c) => {
    for (const m of await listMembers(c.db, orgId)) {
      if (roles.includes(m.role as Role)) await c.outbox.send({ openId: m.open_id }, message, { orgId });
    }
  };
}

export default defineJob({
  name: 'compliance-check',
  summary:
    '合规日历：只计已召开的会议；周期将结束仍未召开时提醒（已安排的提醒按时召开），专题会议按时间窗口提醒和督办，主题党日当天群内提醒、缺月补提醒，纪要逾期提醒组织人',
  schedule: '30 9 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    const input = { db: ctx.db, calendar: ctx.calendar, tz, now, today };
    for (const r of await owedRules(ctx.db, await listEnabledRules(ctx.db))) {
      if (!(await mayPost(r.org_id))) continue;
      if (r.fixed_day) {
        // This month's day, or next month's moved back into this month by a holiday (1 October → 30 September).
        const next = addMonths(`${today.slice(0, 7)}-01`, 1);
        const month = [today, next].find((d) => themeDayOf(d, r.fixed_day as number, ctx.calendar) === today);
        if (month)
          out.push({
            subject: `rule:${r.org_id}:${r.key}`,
            occurrence: `day:${month.slice(0, 7)}`,
            orgId: r.org_id,
            async deliver(c) {
              const chat = (await listOrgChats(c.db, r.org_id))[0];
              if (!chat) return;
              await c.outbox.send(
                { chatId: chat.chatId },
                {
                  type: 'card',
                  card: buildThemeDayCard({ today, source: citationOf(r.source), fixedDay: r.fixed_day as number }),
                },
                { orgId: r.org_id },
              );
            },
          });
      }
      for (const n of await ruleNotices(input, r)) {
        out.push({
          subject: `rule:${r.org_id}:${r.key}`,
          occurrence: n.occurrence,
          orgId: r.org_id,
          deliver: toRoles(r.org_id, n.roles, n.message),
        });
      }
    }
    // Meetings of the last 40 days whose minutes were due before today (held.ts) and are not recorded.
    const dueBefore = zonedInstant(ctx.calendar.addWorkdays(today, -MINUTES_DUE_WORKDAYS), '00:00', tz);
    for (const s of await listScheduledBetween(
      ctx.db,
      new Date(now.getTime() - 40 * DAY).toISOString(),
      dueBefore.toISOString(),
    )) {
      if (s.minutes_at !== null || s.category !== 'meeting' || !(await mayPost(s.org_id))) continue;
      const message = minutesOverdueNotice(s, await recordOf(ctx.db, s, now, tz, ctx.calendar), tz);
      if (!message) continue;
      out.push({
        subject: `session:${s.id}`,
        occurrence: `minutes-overdue@${s.start_at}`,
        orgId: s.org_id,
        async deliver(c) {
          await c.outbox.send({ openId: s.organiser_open_id }, message, { orgId: s.org_id });
        },
      });
    }
    return out;
  },
});
