/** Who may run what: a pure decision over the actor's role, the chat and the org. */
import type { CommandAccess, OrgRequirement, RoleRequirement } from '../core/contracts.ts';
import { UserError, type UserErrorCode } from '../core/errors.ts';
import { ADMIN_ROLES, describeRoles, type Role } from '../core/roles.ts';

export function rolesAllowed(req: RoleRequirement): readonly Role[] | 'anyone' | 'member' {
  if (req === 'admin') return ADMIN_ROLES;
  return req;
}

/** Why `role` does not meet `req` (the text the actor sees), or undefined when it does. */
function roleDenial(req: RoleRequirement, role: Role | undefined): string | undefined {
  const allowed = rolesAllowed(req);
  if (allowed === 'anyone') return undefined;
  if (allowed === 'member') return role ? undefined : '需要本组织成员身份。请联系书记把您拉入组织的群聊。';
  if (!role || !allowed.includes(role)) return `需要${describeRoles(allowed)}权限。`;
  return undefined;
}

/** Throws the UserError the actor sees when `role` does not meet `req`. */
export function requireRole(req: RoleRequirement, role: Role | undefined): void {
  const denied = roleDenial(req, role);
  if (denied) throw new UserError('forbidden', denied);
}

type AccessState = {
  chatType: 'p2p' | 'group';
  hasOrg: boolean;
  role: Role | undefined;
  orgAmbiguous: boolean;
  /** Listed in BOT_ADMINS (counts only for commands that declare `botAdmins`). */
  botAdmin?: boolean;
};

/**
 * Why the access is refused, or undefined when it is allowed. Plain data, so callers that only ask
 * (the /help list checks every command) do not pay for building an Error per refusal.
 */
export function accessDenial(
  access: CommandAccess,
  s: AccessState,
): { code: UserErrorCode; message: string } | undefined {
  if (access.chat === 'group' && s.chatType !== 'group')
    return { code: 'wrong_chat', message: '请在组织的群聊中使用此命令。' };
  if (access.chat === 'p2p' && s.chatType !== 'p2p')
    return { code: 'wrong_chat', message: '请在与清风的单聊中使用此命令。' };
  if (access.org === 'required' && !s.hasOrg) {
    if (s.chatType === 'group')
      return { code: 'no_org', message: '本群还没有绑定组织。请群主发送 /绑定 组织名 完成绑定。' };
    if (s.orgAmbiguous) return { code: 'no_org', message: '您属于多个组织，请在对应组织的群聊中使用此命令。' };
    return { code: 'no_org', message: '您还不是任何组织的成员。请在组织群聊中使用，或联系书记把您加入组织。' };
  }
  if (access.botAdmins && s.botAdmin) return undefined;
  const denied = roleDenial(access.roles, s.role);
  return denied ? { code: 'forbidden', message: denied } : undefined;
}

/**
 * A card action declared `org: 'required'` runs only with an org, so its handler may rely on
 * `ctx.org`. (An action that needs a role already has one: roles are held in an org.)
 */
export function requireActionOrg(org: OrgRequirement | undefined, hasOrg: boolean): void {
  if (org === 'required' && !hasOrg)
    throw new UserError('no_org', '找不到这张卡片所属的组织。请在组织的群聊中重新发送命令。');
}

export function checkCommandAccess(access: CommandAccess, s: AccessState): void {
  const denied = accessDenial(access, s);
  if (denied) throw new UserError(denied.code, denied.message);
}
