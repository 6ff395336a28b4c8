/**
 * /role @某人 <角色> (/角色): sets a member's role; org admins (and BOT_ADMINS) only. Only the 书记 or
 * BOT_ADMINS grant or remove 书记 and 副书记; nobody raises their own role (a step down is allowed);
 * roles are for current members (people in the org's group chats). `/角色 @某人 预备党员` (or 正式党员)
 * is no role: it sets the member's category in the register (/党员) and leaves the role as it is.
 */

import { plain, textMention, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { CATEGORY_LABELS, parseCategory } from '../src/core/register.ts';
import { parseRole, ROLE_LABELS, ROLES, type Role } from '../src/core/roles.ts';
import { findMember, listMembers, roleOf, upsertMember } from '../src/db/repositories/members.ts';
import type { MemberCategory } from '../src/db/schema/org.ts';
import { parseRegisterEdit } from '../src/features/membership/register-rules.ts';
import { changeRegister } from '../src/features/membership/register-service.ts';
import { promptForRole } from '../src/features/talks/coverage.ts';

const roleList = ROLES.map((r) => ROLE_LABELS[r]).join('、');

/** Roles only the 书记 (or BOT_ADMINS) may grant or take away. */
const LEADERSHIP: readonly Role[] = ['secretary', 'deputy'];

/** How much a role may do: nobody sets their own role to one as high or higher. */
const RANK: Record<Role, number> = {
  secretary: 5,
  deputy: 4,
  inspector: 3,
  organizer: 3,
  publicity: 2,
  observer: 2,
  member: 1,
};

export default defineCommand({
  name: 'role',
  aliases: ['角色', '设置角色'],
  summary: '设置成员的角色（书记、纪检委员、党员等）',
  usage: ['/角色 @张三 纪检委员'],
  args: argSchema((r) => {
    const member = r.mention('成员');
    const word = r.word(`角色（${roleList}）`);
    const category = parseCategory(word);
    if (category) return { member, role: undefined, category };
    const role = parseRole(word);
    if (!role) return r.fail(`不认识的角色“${word}”。可用角色：${roleList}。`);
    return { member, role, category: undefined };
  }),
  access: { roles: 'admin', chat: 'any', org: 'required', botAdmins: true },
  async handle(ctx, { member, role, category }) {
    const org = ctx.org;
    if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
    if (category) return setCategory(ctx, org, member, category);
    const at = ctx.now.toISOString();
    const target = await findMember(ctx.db, org.id, member.openId);
    if (!target) {
      throw new UserError(
        'not_found',
        `${plain(member.name || '此人', 50)} 不是「${plain(org.name, 100)}」的成员（不在组织的群聊中）。请先把其拉入组织群聊（入群即为党员），再设置角色。`,
      );
    }
    const current = roleOf(target);
    if (current === role) {
      return textMessage`${textMention(member.openId, member.name)} 已是${ROLE_LABELS[role]}，无需更改。`;
    }
    const bySecretary = ctx.actor.role === 'secretary' || ctx.actor.isBotAdmin;
    if ((LEADERSHIP.includes(role) || LEADERSHIP.includes(current)) && !bySecretary) {
      throw new UserError('forbidden', '只有书记或系统管理员可以任免书记、副书记。');
    }
    if (member.openId === ctx.actor.openId && !ctx.actor.isBotAdmin && RANK[role] >= RANK[current]) {
      throw new UserError('forbidden', '不能提升自己的角色（也不能改为同级角色）。请由书记设置。');
    }
    if (current === 'secretary') {
      const secretaries = (await listMembers(ctx.db, org.id)).filter((m) => m.role === 'secretary');
      if (secretaries.length === 1) {
        throw new UserError('conflict', '组织至少需要一位书记。请先设置新的书记，再调整此人的角色。');
      }
    }
    const change = await upsertMember(ctx.db, { orgId: org.id, openId: member.openId, name: member.name, role, at });
    await ctx.audit({
      action: 'member:role',
      subject: member.openId,
      before: { role: change.before ?? null },
      after: { role },
    });
    await promptForRole(ctx, org, { openId: member.openId, name: member.name || target.name }, role); // 任前廉政谈话
    return textMessage`已将 ${textMention(member.openId, member.name)} 的角色设为${ROLE_LABELS[role]}（原为${ROLE_LABELS[current]}）。`;
  },
});

/** 预备党员 / 正式党员 typed as a role: the register's category changes, the role (the permissions) stays. */
async function setCategory(
  ctx: Parameters<typeof changeRegister>[0],
  org: Parameters<typeof changeRegister>[1],
  member: { openId: string; name: string },
  category: MemberCategory,
) {
  const edit = parseRegisterEdit(CATEGORY_LABELS[category], '', ctx.today);
  if ('error' in edit) throw new UserError('bad_args', edit.error);
  const change = await changeRegister(ctx, org, member, edit.patch);
  const who = textMention(member.openId, change.member.name);
  const role = ROLE_LABELS[roleOf(change.member)];
  return change.changed
    ? textMessage`已将 ${who} 登记为${CATEGORY_LABELS[category]}。角色是权限，仍为${role}；党员类别记在党员名册中，可用 /党员 查看和修改。`
    : textMessage`${who} 在党员名册中已是${CATEGORY_LABELS[category]}，无需更改（角色仍为${role}；名册见 /党员）。`;
}
