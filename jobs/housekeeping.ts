/**
 * Housekeeping: prunes processed-event records and finished inbox rows past retention (kept 7 days, well over Feishu's 6 h
 * redelivery tier and the 24 h minimum) and tells each org's admins about new dead letters, once a day.
 */

import { buildDeadLettersCard } from '../src/cards/notice-cards.ts';
import { defineJob } from '../src/core/contracts.ts';
import { claimReminder } from '../src/db/repositories/claims.ts';
import { pruneProcessed } from '../src/db/repositories/events.ts';
import { pruneInbox } from '../src/db/repositories/inbox.ts';
import { listDeadSince } from '../src/db/repositories/outbox.ts';
import { DAY } from '../src/domain/time.ts';
import { notifyAdmins } from '../src/services/notify.ts';

export const PROCESSED_EVENT_RETENTION_MS = 7 * DAY;

export default defineJob({
  name: 'housekeeping',
  summary: '清理过期的事件去重记录；每天向组织管理员报告发送失败的消息',
  schedule: '17 3,9 * * *',
  async run(ctx, now) {
    const before = new Date(now.getTime() - PROCESSED_EVENT_RETENTION_MS).toISOString();
    const pruned = await pruneProcessed(ctx.db, before);
    // Finished inbox rows go with their dedup records; pending ones stay until they are done.
    await pruneInbox(ctx.db, before);
    const day = ctx.today;
    const dead = await listDeadSince(ctx.db, new Date(now.getTime() - 2 * DAY).toISOString());
    const byOrg = new Map<number, number>();
    for (const row of dead) if (row.org_id !== null) byOrg.set(row.org_id, (byOrg.get(row.org_id) ?? 0) + 1);
    let reported = 0;
    for (const [orgId, count] of byOrg) {
      const fresh = await claimReminder(
        ctx.db,
        { job: 'housekeeping', subject: `dead-letters:org:${orgId}`, occurrence: day },
        orgId,
        now.toISOString(),
      );
      if (!fresh) continue;
      await notifyAdmins(
        ctx,
        orgId,
        { type: 'card', card: buildDeadLettersCard(count) },
        { key: `dead-letters:${orgId}:${day}` },
      );
      reported++;
    }
    return `清理去重记录 ${pruned} 条；向 ${reported} 个组织报告了发送失败的消息`;
  },
});
