/** "我的": the caller's orgs and roles (later features add their open items here). */
import type { Kysely } from 'kysely';
import type { MeView } from '../cards/me-card.ts';
import { listMembershipsOf } from '../db/repositories/members.ts';
import type { Database } from '../db/schema.ts';

export async function loadMeView(db: Kysely<Database>, openId: string): Promise<MeView> {
  const memberships = await listMembershipsOf(db, openId);
  return {
    name: memberships[0]?.name,
    memberships: memberships.map((m) => ({ orgName: m.orgName, role: m.role })),
  };
}
