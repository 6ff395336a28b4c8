/**
 * /bind <组织名> (/绑定): binds this group chat to an org, creating the org when new. Only the chat's
 * owner (who becomes a new org's secretary) and BOT_ADMINS may bind, re-binding included; besides,
 * re-binding a bound chat needs an admin of the org it is bound to, and binding to an org that already
 * exists needs an admin of that org. The chat's members join the org as 党员.
 *
 * Binding is done in the group it binds: sent in a private chat, it reads nothing from Feishu (a
 * private chat has no group to look up) and is answered with where and how to bind, changing nothing.
 */

import { buildBoundCard } from '../src/cards/notice-cards.ts';
import { plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { ADMIN_ROLES, describeRoles, isAdminRole } from '../src/core/roles.ts';
import { findMember, roleOf, upsertMember } from '../src/db/repositories/members.ts';
import { bindChat, createOrg, findOrgByName } from '../src/db/repositories/orgs.ts';
import { ensureRules } from '../src/features/meetings/repository.ts';

const USAGE = ['/绑定 第一党支部'];
const USAGE_TEXT = USAGE.map((u) => `用法：${u}`).join('\n');

export default defineCommand({
  name: 'bind',
  aliases: ['绑定', '绑定组织'],
  summary: '把本群绑定到党组织（群主或系统管理员）',
  usage: USAGE,
  // A missing name is refused by the handler (with the usage), so that a private chat is told first
  // where binding is done, with or without a name.
  args: argSchema((r) => ({ name: r.rest('组织名', { max: 50 }).trim() })),
  access: { roles: 'anyone', chat: 'group', org: 'optional' },
  async prepare(ctx, { name }) {
    // Runs before the router's chat rule. A private chat is not looked up as a group (Feishu may refuse
    // that, which would read as a fault): it is told how binding is done, and nothing changes.
    if (ctx.chat.type !== 'group') {
      throw new UserError(
        'wrong_chat',
        '绑定要在党组织的群聊中完成：请群主（或系统管理员）把清风拉进本组织的群聊，在群里@清风 发送“/绑定 组织名”。',
        USAGE_TEXT,
      );
    }
    if (!name) return undefined;
    const chat = await ctx.feishu.getChat(ctx.chat.chatId);
    const members = await ctx.feishu.listChatMembers(ctx.chat.chatId);
    return { chatName: chat?.name ?? null, ownerOpenId: chat?.ownerOpenId, members };
  },
  async handle(ctx, { name }, chat) {
    if (!name || !chat) throw new UserError('bad_args', '缺少组织名。', USAGE_TEXT);
    const at = ctx.now.toISOString();
    const isOwner = chat.ownerOpenId === ctx.actor.openId;
    const current = ctx.org;
    if (current?.name === name) {
      return textMessage`本群已绑定到「${plain(name, 100)}」，无需重复绑定。`;
    }
    if (current && !isAdminRole(ctx.actor.role) && !ctx.actor.isBotAdmin) {
      throw new UserError(
        'forbidden',
        `本群已绑定到「${plain(current.name, 100)}」。重新绑定需要该组织的${describeRoles(ADMIN_ROLES)}权限。`,
      );
    }
    // The group is its owner's: nobody else (but BOT_ADMINS) brings its members into an org.
    if (!isOwner && !ctx.actor.isBotAdmin) {
      throw new UserError('forbidden', '只有群主或系统管理员可以绑定群聊。');
    }
    const existing = await findOrgByName(ctx.db, name);
    if (existing) {
      const m = await findMember(ctx.db, existing.id, ctx.actor.openId);
      if (!ctx.actor.isBotAdmin && !(m && isAdminRole(roleOf(m)))) {
        throw new UserError(
          'forbidden',
          `组织「${plain(name, 100)}」已存在。把本群绑定到它需要该组织的${describeRoles(ADMIN_ROLES)}权限。`,
        );
      }
    }
    const org = existing ?? (await createOrg(ctx.db, name, at));
    await ensureRules(ctx.db, org.id, at);
    await bindChat(ctx.db, {
      chatId: ctx.chat.chatId,
      orgId: org.id,
      chatName: chat.chatName,
      boundBy: ctx.actor.openId,
      at,
    });
    for (const m of chat.members) await upsertMember(ctx.db, { orgId: org.id, openId: m.openId, name: m.name, at });
    const secretaries = existing ? [] : [...new Set([chat.ownerOpenId ?? ctx.actor.openId, ctx.actor.openId])];
    for (const openId of secretaries) {
      const name_ = chat.members.find((m) => m.openId === openId)?.name ?? '';
      await upsertMember(ctx.db, { orgId: org.id, openId, name: name_, role: 'secretary', at });
    }
    await ctx.audit({
      action: 'org:bind',
      subject: ctx.chat.chatId,
      before: current ? { orgId: current.id, org: current.name } : null,
      after: { orgId: org.id, org: org.name, created: !existing, secretaries },
    });
    return {
      type: 'card',
      card: buildBoundCard({
        orgName: org.name,
        created: !existing,
        secretaries,
        memberCount: chat.members.length,
      }),
    };
  },
});
