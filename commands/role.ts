/** /role @某人 <角色> (/角色): sets a member's role; org admins only. */

import { textMention } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { parseRole, ROLE_LABELS, ROLES } from '../src/core/roles.ts';
import { listMembers, upsertMember } from '../src/db/repositories/members.ts';

const roleList = ROLES.map((r) => ROLE_LABELS[r]).join('、');

export default defineCommand({
  name: 'role',
  aliases: ['角色', '设置角色'],
  summary: '设置成员的角色（书记、纪检委员、党员等）',
  usage: ['/角色 @张三 纪检委员', '/role @张三 inspector'],
  args: argSchema((r) => {
    const member = r.mention('成员');
    const word = r.word(`角色（${roleList}）`);
    const role = parseRole(word);
    if (!role) return r.fail(`不认识的角色“${word}”。可用角色：${roleList}。`);
    return { member, role };
  }),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle(ctx, { member, role }) {
    const org = ctx.org;
    if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
    const at = ctx.now.toISOString();
    if (role !== 'secretary') {
      const secretaries = (await listMembers(ctx.db, org.id)).filter((m) => m.role === 'secretary');
      if (secretaries.length === 1 && secretaries[0]?.open_id === member.openId) {
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
    const was = change.before ? `（原为${ROLE_LABELS[change.before]}）` : '（新加入本组织）';
    return {
      type: 'text',
      text: `已将 ${textMention(member.openId, member.name)} 的角色设为${ROLE_LABELS[role]}${was}。`,
    };
  },
});
