/** Who is acting, and where: the org of a chat, the actor's role in it, and what to say to someone who left. */
import type { Kysely } from 'kysely';
import type { Actor, ChatRef, RuntimeSettings } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { findMember, listLeftMembershipsOf, listMembershipsOf, roleOf } from '../db/repositories/members.ts';
import { findOrgByChat, findOrgById } from '../db/repositories/orgs.ts';
import type { Database, Org } from '../db/schema.ts';

/** The org of a chat: a group's bound org, or a private chat's sender's only org. */
export async function resolveOrg(
  db: Kysely<Database>,
  chat: ChatRef,
  openId: string,
): Promise<{ org: Org | undefined; ambiguous: boolean }> {
  if (chat.type === 'group') return { org: await findOrgByChat(db, chat.chatId), ambiguous: false };
  const memberships = await listMembershipsOf(db, openId);
  if (memberships.length !== 1) return { org: undefined, ambiguous: memberships.length > 1 };
  return { org: await findOrgById(db, (memberships[0] as { orgId: number }).orgId), ambiguous: false };
}

export async function actorIn(
  db: Kysely<Database>,
  settings: RuntimeSettings,
  org: Org | undefined,
  openId: string,
): Promise<Actor> {
  const m = org ? await findMember(db, org.id, openId) : undefined;
  return {
    openId,
    name: m?.name,
    role: m ? roleOf(m) : undefined,
    isBotAdmin: settings.botAdmins.includes(openId),
  };
}

/**
 * The refusal for someone whose membership ended (they left the org's group chats), said plainly,
 * or undefined when they never were a member there. `org` undefined: any org they left (private chat).
 */
export async function leftRefusal(
  db: Kysely<Database>,
  org: Org | undefined,
  openId: string,
): Promise<UserError | undefined> {
  // Without an org (a private chat): only for someone who is a member nowhere any more.
  if (!org && (await listMembershipsOf(db, openId)).length > 0) return undefined;
  const left = await listLeftMembershipsOf(db, openId);
  const hit = org ? left.find((l) => l.orgId === org.id) : left[0];
  if (!hit) return undefined;
  return new UserError(
    'forbidden',
    `您已不在「${hit.orgName}」的群聊中，在该组织的成员身份和权限已随之结束。如需恢复，请联系书记把您拉回群聊。`,
  );
}
