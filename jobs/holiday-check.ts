/**
 * From 1 December, when next year's holiday table is missing, tells once: the operators (`BOT_ADMINS`)
 * with the command to import it, and each org's admins what it means for them (reminders on estimated
 * dates, Monday–Friday working days). With no `BOT_ADMINS` configured, each org's admins get the
 * operators' notice instead: someone must be able to act on it.
 */
import { buildHolidayTableMissingCard } from '../src/cards/notice-cards.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { listOrgs } from '../src/db/repositories/orgs.ts';
import { localParts } from '../src/domain/time.ts';
import { notifyAdmins } from '../src/services/notify.ts';

export default defineJob({
  name: 'holiday-check',
  summary: '12 月 1 日起检查下一年的法定节假日表，缺失时提醒运维人员导入、告知各组织管理员一次',
  schedule: '5 9 * * *',
  async collect(ctx, now) {
    const p = localParts(now, ctx.settings.timezone);
    const next = p.year + 1;
    if (p.month !== 12 || ctx.calendar.hasTable(next)) return [];
    const operators = ctx.settings.botAdmins;
    const out: Delivery[] = [];
    if (operators.length > 0)
      out.push({
        subject: 'operators',
        occurrence: String(next),
        orgId: null,
        async deliver(c) {
          const card = buildHolidayTableMissingCard(next, 'operator');
          for (const openId of operators)
            await c.outbox.send(
              { openId },
              { type: 'card', card },
              { key: `holiday-check:${next}:operator:${openId}` },
            );
        },
      });
    const audience = operators.length > 0 ? 'official' : 'operator';
    for (const org of await listOrgs(ctx.db))
      out.push({
        subject: `org:${org.id}`,
        occurrence: String(next),
        orgId: org.id,
        async deliver(c) {
          await notifyAdmins(
            c,
            org.id,
            { type: 'card', card: buildHolidayTableMissingCard(next, audience) },
            { key: `holiday-check:${next}:${org.id}` },
          );
        },
      });
    return out;
  },
});
