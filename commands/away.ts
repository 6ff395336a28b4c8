/** /away (/请假): `<结束日期> [理由]` pauses the caller's reminders until that date; `取消` ends it. */
import { textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { findMember, setAway } from '../src/db/repositories/members.ts';
import { parseDateText, shortDate } from '../src/domain/dates.ts';

export default defineCommand({
  name: 'away',
  aliases: ['请假', '出差', '休假'],
  summary: '请假/出差期间暂停提醒',
  usage: ['/请假 2026-12-10 出差', '/请假 取消'],
  args: argSchema((r) => {
    const first = r.word('结束日期（或“取消”）');
    if (first === '取消' || first === 'cancel' || first === '结束') return { cancel: true as const };
    return { cancel: false as const, date: first, reason: r.rest('理由', { max: 100 }).trim() };
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  async handle(ctx, a) {
    const org = ctx.org;
    const before = await findMember(ctx.db, org.id, ctx.actor.openId);
    const today = ctx.today;
    if (a.cancel) {
      await setAway(ctx.db, org.id, ctx.actor.openId, {
        from: null,
        until: null,
        reason: null,
        at: ctx.now.toISOString(),
      });
      await ctx.audit({
        action: 'member:away_cancel',
        subject: ctx.actor.openId,
        before: { until: before?.away_until ?? null },
        after: { until: null },
      });
      return { type: 'text', text: '已取消请假，提醒恢复正常。' };
    }
    const until = parseDateText(a.date, today);
    if (!until) throw new UserError('bad_args', `“${a.date}”不是有效日期，例如 2026-12-10。`);
    if (until < today) throw new UserError('bad_args', '结束日期不能早于今天。');
    await setAway(ctx.db, org.id, ctx.actor.openId, {
      from: today,
      until,
      reason: a.reason || null,
      at: ctx.now.toISOString(),
    });
    await ctx.audit({
      action: 'member:away',
      subject: ctx.actor.openId,
      before: { until: before?.away_until ?? null },
      after: { until, reason: a.reason },
    });
    return textMessage`已登记请假至 ${shortDate(until, today)}（含当天），期间不会收到催办提醒，您负责的逾期事项改由书记关注。`;
  },
});
