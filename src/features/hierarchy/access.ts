/**
 * Who may see into an org from above (issue 15): an admin of an org above it, or BOT_ADMINS. The
 * roll-up and 下发 import these; a refusal is a plain sentence and changes nothing. An org never sees
 * its siblings: nothing here walks sideways, only up from the org looked into.
 */
import type { Kysely } from 'kysely';
import { plain } from '../../cards/text.ts';
import { UserError } from '../../core/errors.ts';
import { isUpperLevel } from '../../core/register.ts';
import { ADMIN_ROLES, describeRoles, isAdminRole } from '../../core/roles.ts';
import { findMember, roleOf } from '../../db/repositories/members.ts';
import { adminAbove, listAncestors, listChildren } from '../../db/repositories/org-tree.ts';
import type { Database, Org } from '../../db/schema.ts';

/**
 * The upper org from which the actor may see into `child`: the nearest org above it that the actor
 * administers (BOT_ADMINS: the parent). Refuses (forbidden) anyone else, the child's own admins included.
 */
export async function requireAdminAbove(
  db: Kysely<Database>,
  child: Org,
  actorOpenId: string,
  isBotAdmin: boolean,
): Promise<Org> {
  const above = await adminAbove(db, child, actorOpenId);
  if (above) return above;
  if (isBotAdmin) {
    const [parent] = await listAncestors(db, child);
    if (parent) return parent;
  }
  throw new UserError(
    'forbidden',
    `只有上级党组织的${describeRoles(ADMIN_ROLES)}可以查看「${plain(child.name, 100)}」的情况。`,
  );
}

/** Whether `org` is over other orgs: an upper level, or one that already has lower orgs. */
export async function isUpperOrg(db: Kysely<Database>, org: Org): Promise<boolean> {
  if (isUpperLevel(org.level)) return true;
  if (org.level === 'branch') return false;
  return (await listChildren(db, org.id)).length > 0;
}

/**
 * For commands run in an upper org's chat: the org must be over other orgs and the actor its admin
 * (or a BOT_ADMIN). Returns the org; otherwise refuses with a plain sentence.
 */
export async function requireUpperAdmin(ctx: {
  db: Kysely<Database>;
  org: Org | undefined;
  actor: { openId: string; isBotAdmin: boolean };
}): Promise<Org> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '本群尚未绑定党组织，请群主先发送 /绑定 组织名称。');
  if (!(await isUpperOrg(ctx.db, org))) {
    throw new UserError(
      'forbidden',
      `「${plain(org.name, 100)}」不是党委、党组、机关党委或党总支，没有下级组织。`,
      '请先设置本组织的级别：/组织 级别 党委',
    );
  }
  if (!ctx.actor.isBotAdmin) {
    const m = await findMember(ctx.db, org.id, ctx.actor.openId);
    if (!(m && isAdminRole(roleOf(m)))) {
      throw new UserError('forbidden', `需要「${plain(org.name, 100)}」的${describeRoles(ADMIN_ROLES)}权限。`);
    }
  }
  return org;
}
