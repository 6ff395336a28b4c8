/** Who may run what: a pure decision over the actor's role, the chat and the org. */
import type { CommandAccess, RoleRequirement } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { ADMIN_ROLES, describeRoles, type Role } from '../core/roles.ts';

export function rolesAllowed(req: RoleRequirement): readonly Role[] | 'anyone' | 'member' {
  if (req === 'admin') return ADMIN_ROLES;
  return req;
}

/** Throws the UserError the actor sees when `role` does not meet `req`. */
export function requireRole(req: RoleRequirement, role: Role | undefined): void {
  const allowed = rolesAllowed(req);
  if (allowed === 'anyone') return;
  if (allowed === 'member') {
    if (!role) throw new UserError('forbidden', '需要本组织成员身份。请联系书记用 /角色 把您加入组织。');
    return;
  }
  if (!role || !allowed.includes(role)) throw new UserError('forbidden', `需要${describeRoles(allowed)}权限。`);
}

export function checkCommandAccess(
  access: CommandAccess,
  s: { chatType: 'p2p' | 'group'; hasOrg: boolean; role: Role | undefined; orgAmbiguous: boolean },
): void {
  if (access.chat === 'group' && s.chatType !== 'group')
    throw new UserError('wrong_chat', '请在组织的群聊中使用此命令。');
  if (access.chat === 'p2p' && s.chatType !== 'p2p')
    throw new UserError('wrong_chat', '请在与清风的单聊中使用此命令。');
  if (access.org === 'required' && !s.hasOrg) {
    if (s.chatType === 'group') throw new UserError('no_org', '本群还没有绑定组织。请群主发送 /绑定 组织名 完成绑定。');
    if (s.orgAmbiguous) throw new UserError('no_org', '您属于多个组织，请在对应组织的群聊中使用此命令。');
    throw new UserError('no_org', '您还不是任何组织的成员。请在组织群聊中使用，或联系书记把您加入组织。');
  }
  requireRole(access.roles, s.role);
}
