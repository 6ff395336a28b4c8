/**
 * From 1 December, tells each org's admins once when next year's holiday table is missing: until
 * it is imported, reminders for that year fall back to Monday–Friday.
 */
import { buildHolidayTableMissingCard } from '../src/cards/notice-cards.ts';
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { listOrgs } from '../src/db/repositories/orgs.ts';
import { localParts } from '../src/domain/time.ts';
import { notifyAdmins } from '../src/services/notify.ts';

export default defineJob({
  name: 'holiday-check',
  summary: '12 月 1 日起检查下一年的法定节假日表，缺失时提醒管理员一次',
  schedule: '5 9 * * *',
  async collect(ctx, now) {
    const p = localParts(now, ctx.settings.timezone);
    const next = p.year + 1;
    if (p.month !== 12 || ctx.calendar.hasTable(next)) return [];
    const orgs = await listOrgs(ctx.db);
    return orgs.map(
      (org): Delivery => ({
        subject: `org:${org.id}`,
        occurrence: String(next),
        orgId: org.id,
        async deliver(c) {
          await notifyAdmins(
            c,
            org.id,
            { type: 'card', card: buildHolidayTableMissingCard(next) },
            { key: `holiday-check:${next}:${org.id}` },
          );
        },
      }),
    );
  },
});
