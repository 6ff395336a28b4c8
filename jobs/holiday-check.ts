/**
 * From 1 December, tells each org's admins once when next year's holiday table is missing: until
 * it is imported, reminders for that year fall back to Monday–Friday.
 */
import { card, markdown } from '../src/cards/parts.ts';
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
            {
              type: 'card',
              card: card({
                title: `缺少 ${next} 年节假日安排`,
                template: 'orange',
                elements: [
                  markdown(
                    `清风还没有 **${next} 年**的法定节假日和调休安排。在导入之前，${next} 年的提醒按周一至周五计算工作日，节假日和调休日可能不准确。\n\n请运维人员在国务院办公厅发布通知后，按 README「节假日表」一节整理 JSON 文件并执行：\n\`npm run cli -- holidays import 文件.json\``,
                  ),
                ],
              }),
            },
            { key: `holiday-check:${next}:${org.id}` },
          );
        },
      }),
    );
  },
});
