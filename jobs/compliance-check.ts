/**
 * The compliance calendar, as of now, each notice claimed once:
 * - the missed-cycle detector: when a period is ending (the rule's lead time in working days before
 *   its end) and no meeting or study of the required kind is held or scheduled in it, the secretary
 *   and the organiser are told, citing the rule;
 * - 主题党日 on its fixed day (the working day before it when the day is off): a card in the group.
 */
import { buildThemeDayCard } from '../src/cards/notice-cards.ts';
import { textMessage } from '../src/cards/text.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { listMembers } from '../src/db/repositories/members.ts';
import { listOrgChats } from '../src/db/repositories/orgs.ts';
import { addMonths } from '../src/domain/time.ts';
import { ruleShape, sessionsInPeriod, themeDayOf } from '../src/features/meetings/calendar.ts';
import {
  basisOf,
  citationOf,
  type Frequency,
  isStudyKind,
  kindLabel,
  rulePeriod,
  verbFor,
} from '../src/features/meetings/model.ts';
import { listEnabledRules } from '../src/features/meetings/repository.ts';
import { nudgeGate } from '../src/services/ladder.ts';

const PERIOD_WORD: Record<Frequency, string> = {
  month: '本月',
  quarter: '本季度',
  half_year: '本半年',
  year: '本年度',
};

export default defineJob({
  name: 'compliance-check',
  summary: '合规日历：周期即将结束仍未召开规定会议或开展规定学习时提醒书记和组织委员；主题党日当天在群内提醒',
  schedule: '30 9 * * *',
  async collect(ctx, now) {
    const tz = ctx.settings.timezone;
    const today = ctx.today;
    const mayPost = nudgeGate(ctx, now);
    const out: Delivery[] = [];
    for (const r of await listEnabledRules(ctx.db)) {
      if (!(await mayPost(r.org_id))) continue;
      const shape = ruleShape(r);
      const p = rulePeriod(shape, today);
      if (r.fixed_day) {
        // This month's day, or next month's moved back into this month by a holiday (1 October → 30 September).
        const next = addMonths(`${today.slice(0, 7)}-01`, 1);
        const month = [today, next].find((d) => themeDayOf(d, r.fixed_day as number, ctx.calendar) === today);
        if (!month) continue;
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
        continue;
      }
      const warnFrom = ctx.calendar.addWorkdays(ctx.calendar.onOrBefore(p.end), -r.lead_days);
      if (today < warnFrom || today > p.end) continue;
      if ((await sessionsInPeriod(ctx.db, r, today, tz)).length > 0) continue;
      const period = PERIOD_WORD[shape.frequency] ?? '本期';
      out.push({
        subject: `rule:${r.org_id}:${r.key}`,
        occurrence: `missed:${p.key}`,
        orgId: r.org_id,
        async deliver(c) {
          const message = textMessage`【合规提醒】${period}尚未${verbFor(r.kind)}${r.name}（${basisOf(r.source)}）。${period}将于 ${p.end} 结束，请尽快安排：/${isStudyKind(r.kind) ? '学习' : '会议'} 新建 ${kindLabel(r.kind)}`;
          for (const m of await listMembers(c.db, r.org_id)) {
            if (m.role !== 'secretary' && m.role !== 'organizer') continue;
            await c.outbox.send({ openId: m.open_id }, message, { orgId: r.org_id });
          }
        },
      });
    }
    return out;
  },
});
