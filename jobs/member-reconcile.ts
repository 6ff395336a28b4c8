/**
 * Membership follows the group chats even when Feishu's member-deleted event never arrived (the bot
 * was down longer than Feishu retries, the event was not subscribed yet): every hour each org's bound
 * chats are listed through the directory (every page) and anyone who is a member but in none of them
 * any more loses the membership, as with the event (src/features/membership/service.ts). An org whose chats
 * cannot all be listed (Open API fault, bot no longer in a chat) is left as it is until the next run:
 * nobody is revoked on partial knowledge.
 */
import { type Delivery, defineJob } from '../src/core/contracts.ts';
import { findMember, listMembers } from '../src/db/repositories/members.ts';
import { listOrgChats, listOrgs } from '../src/db/repositories/orgs.ts';
import { endMembership } from '../src/features/membership/service.ts';

export default defineJob({
  name: 'member-reconcile',
  summary: '每小时核对各组织群聊的成员，收回已不在群中的人员的成员身份，并把其未完成事项告知书记',
  schedule: '23 * * * *',
  async collect(ctx) {
    const directory = ctx.directory;
    if (!directory) {
      ctx.logger.warn({}, 'member reconciliation needs the Feishu directory; skipped');
      return [];
    }
    const out: Delivery[] = [];
    for (const org of await listOrgs(ctx.db)) {
      const chats = await listOrgChats(ctx.db, org.id);
      if (chats.length === 0) continue;
      const present = new Set<string>();
      let complete = true;
      for (const chat of chats) {
        try {
          const members = await directory.listChatMembers(chat.chatId);
          // A group always has someone in it: an empty answer says nothing about who left.
          if (members.length === 0) complete = false;
          for (const m of members) present.add(m.openId);
        } catch (err) {
          complete = false;
          ctx.logger.warn({ orgId: org.id, chatId: chat.chatId, err: String(err) }, 'chat members not listed');
        }
        if (!complete) break;
      }
      if (!complete) continue;
      for (const m of await listMembers(ctx.db, org.id)) {
        if (present.has(m.open_id)) continue;
        out.push({
          subject: `member:${org.id}:${m.open_id}`,
          // Once per membership state: joining again (or any change of the row) makes a new one.
          occurrence: `${m.id}@${m.updated_at}`,
          orgId: org.id,
          async deliver(c) {
            // Re-joined (or changed) since the chats were listed: the next run decides.
            const now = await findMember(c.db, org.id, m.open_id);
            if (!now || now.updated_at !== m.updated_at) return;
            await endMembership(c, {
              orgId: org.id,
              openId: m.open_id,
              at: c.now.toISOString(),
              actor: 'system',
              chatId: null,
              via: 'reconcile',
            });
          },
        });
      }
    }
    return out;
  },
});
