/** Members of an org and their roles. */
import type { Kysely } from 'kysely';
import { ADMIN_ROLES, ROLES, type Role } from '../../core/roles.ts';
import type { Database, Member } from '../schema.ts';

export function roleOf(m: Pick<Member, 'role'>): Role {
  return (ROLES as readonly string[]).includes(m.role) ? (m.role as Role) : 'member';
}

/**
 * A current member of an org. Someone who left (removed from, or left, the org's group chats) is not
 * one: every lookup here skips rows with `left_at` set, so access ends with the membership.
 */
export async function findMember(db: Kysely<Database>, orgId: number, openId: string): Promise<Member | undefined> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('open_id', '=', openId)
    .where('left_at', 'is', null)
    .executeTakeFirst();
}

/** The member row whether or not they left (names in history, re-joining). */
export async function findMemberRecord(
  db: Kysely<Database>,
  orgId: number,
  openId: string,
): Promise<Member | undefined> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('open_id', '=', openId)
    .executeTakeFirst();
}

export async function listMembers(db: Kysely<Database>, orgId: number): Promise<Member[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('left_at', 'is', null)
    .orderBy('id')
    .execute();
}

export async function listAdmins(db: Kysely<Database>, orgId: number): Promise<Member[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('left_at', 'is', null)
    .where('role', 'in', [...ADMIN_ROLES])
    .orderBy('id')
    .execute();
}

/** Every org membership of a person, with the org's name. */
export async function listMembershipsOf(
  db: Kysely<Database>,
  openId: string,
): Promise<{ orgId: number; orgName: string; role: Role; name: string; awayUntil: string | null }[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('orgs', 'orgs.id', 'members.org_id')
    .select(['members.org_id', 'orgs.name as org_name', 'members.role', 'members.name', 'members.away_until'])
    .where('members.open_id', '=', openId)
    .where('members.left_at', 'is', null)
    .orderBy('orgs.id')
    .execute();
  return rows.map((r) => ({
    orgId: r.org_id,
    orgName: r.org_name,
    role: roleOf(r),
    name: r.name,
    awayUntil: r.away_until,
  }));
}

/** The orgs a person has left (and is no member of now), the latest first. */
export async function listLeftMembershipsOf(
  db: Kysely<Database>,
  openId: string,
): Promise<{ orgId: number; orgName: string; leftAt: string }[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('orgs', 'orgs.id', 'members.org_id')
    .select(['members.org_id', 'orgs.name as org_name', 'members.left_at'])
    .where('members.open_id', '=', openId)
    .where('members.left_at', 'is not', null)
    .orderBy('members.left_at', 'desc')
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.org_name, leftAt: r.left_at as string }));
}

/**
 * Adds a member, or updates the name (and the role when given) of an existing one. Someone who had
 * left joins again as 党员 (or the role given), never with the role they held before.
 * Returns the role before (undefined when new or re-joining) and after.
 */
export async function upsertMember(
  db: Kysely<Database>,
  m: { orgId: number; openId: string; name: string; role?: Role; at: string },
): Promise<{ before: Role | undefined; after: Role }> {
  const existing = await findMemberRecord(db, m.orgId, m.openId);
  if (existing?.left_at) {
    const role = m.role ?? 'member';
    await db
      .updateTable('members')
      .set({
        role,
        name: m.name || existing.name,
        left_at: null,
        away_from: null,
        away_until: null,
        away_reason: null,
        updated_at: m.at,
      })
      .where('id', '=', existing.id)
      .execute();
    return { before: undefined, after: role };
  }
  if (!existing) {
    const role = m.role ?? 'member';
    await db
      .insertInto('members')
      .values({
        org_id: m.orgId,
        open_id: m.openId,
        name: m.name,
        role,
        away_from: null,
        away_until: null,
        away_reason: null,
        created_at: m.at,
        updated_at: m.at,
      })
      .execute();
    return { before: undefined, after: role };
  }
  const after = m.role ?? roleOf(existing);
  const name = m.name || existing.name;
  if (after !== existing.role || name !== existing.name) {
    await db
      .updateTable('members')
      .set({ role: after, name, updated_at: m.at })
      .where('id', '=', existing.id)
      .execute();
  }
  return { before: roleOf(existing), after };
}

/**
 * Ends a membership: the row is marked left (kept for the names in history) and holds no access from
 * here on. Returns the member as they were, or undefined when they were no member (or had left).
 */
export async function markLeft(
  db: Kysely<Database>,
  orgId: number,
  openId: string,
  at: string,
): Promise<Member | undefined> {
  const current = await findMember(db, orgId, openId);
  if (!current) return undefined;
  const r = await db
    .updateTable('members')
    .set({ left_at: at, updated_at: at })
    .where('id', '=', current.id)
    .where('left_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? current : undefined;
}

/** Sets (or clears, with `until` null) a member's leave: reminders skip them until that date. */
export async function setAway(
  db: Kysely<Database>,
  orgId: number,
  openId: string,
  away: { from: string | null; until: string | null; reason: string | null; at: string },
): Promise<void> {
  await db
    .updateTable('members')
    .set({ away_from: away.from, away_until: away.until, away_reason: away.reason, updated_at: away.at })
    .where('org_id', '=', orgId)
    .where('open_id', '=', openId)
    .execute();
}

/** True while a member is on leave (请假/出差) on `day`. */
export function isAway(m: Pick<Member, 'away_from' | 'away_until'> | undefined, day: string): boolean {
  return !!m?.away_until && day <= m.away_until && (!m.away_from || day >= m.away_from);
}

/** Members of an org keyed by open_id. */
export async function membersByOpenId(db: Kysely<Database>, orgId: number): Promise<Map<string, Member>> {
  return new Map((await listMembers(db, orgId)).map((m) => [m.open_id, m]));
}
