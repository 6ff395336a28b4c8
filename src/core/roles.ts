/** Roles a member holds in an org. The first four administer it (docs/domain.md "Glossary"). */
export const ROLES = ['secretary', 'deputy', 'inspector', 'organizer', 'publicity', 'member', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export const ADMIN_ROLES: readonly Role[] = ['secretary', 'deputy', 'inspector', 'organizer'];

export const ROLE_LABELS: Record<Role, string> = {
  secretary: '书记',
  deputy: '副书记',
  inspector: '纪检委员',
  organizer: '组织委员',
  publicity: '宣传委员',
  member: '党员',
  observer: '观察员',
};

const byLabel = new Map<string, Role>(ROLES.flatMap((r) => [[r, r] as const, [ROLE_LABELS[r], r] as const]));
byLabel.set('上级观察员', 'observer');
byLabel.set('成员', 'member');

/** Accepts the English code or the Chinese title (书记, 纪检委员 …). */
export function parseRole(text: string): Role | undefined {
  return byLabel.get(text.trim().toLowerCase());
}

export function isAdminRole(role: Role | undefined): boolean {
  return role !== undefined && ADMIN_ROLES.includes(role);
}

/** "书记、副书记、纪检委员或组织委员" — the list of roles in plain Chinese. */
export function describeRoles(roles: readonly Role[]): string {
  const labels = roles.map((r) => ROLE_LABELS[r]);
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join('、')}或${labels[labels.length - 1]}`;
}
