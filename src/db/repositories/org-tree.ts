/**
 * The hierarchy (issue 15): a 党委 (党组, 机关党委, 党总支) over its 支部. An org sees into the orgs
 * below it; an org never sees its siblings. The link itself is made on the lower org's agreement
 * (features/hierarchy): these are the reads and the plain writes.
 */
import type { Kysely } from 'kysely';
import { isAdminRole } from '../../core/roles.ts';
import type { OrgLevel } from '../schema/org.ts';
import type { Database, Org } from '../schema.ts';
import { roleOf } from './members.ts';

/** Deep enough for 党组 → 机关党委 → 党总支 → 支部; a cycle (never written) cannot loop. */
const MAX_DEPTH = 8;

export async function listChildren(db: Kysely<Database>, parentId: number): Promise<Org[]> {
  return db.selectFrom('orgs').selectAll().where('parent_id', '=', parentId).orderBy('id').execute();
}

/** Every org below `orgId` (children, their children …), nearest first. */
export async function listDescendants(db: Kysely<Database>, orgId: number): Promise<Org[]> {
  const out: Org[] = [];
  let frontier = [orgId];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next = await db.selectFrom('orgs').selectAll().where('parent_id', 'in', frontier).orderBy('id').execute();
    out.push(...next);
    frontier = next.map((o) => o.id);
  }
  return out;
}

/** The orgs above `org`, nearest first. */
export async function listAncestors(db: Kysely<Database>, org: Pick<Org, 'parent_id'>): Promise<Org[]> {
  const out: Org[] = [];
  let parentId = org.parent_id;
  while (parentId !== null && out.length < MAX_DEPTH && !out.some((o) => o.id === parentId)) {
    const parent = await db.selectFrom('orgs').selectAll().where('id', '=', parentId).executeTakeFirst();
    if (!parent) break;
    out.push(parent);
    parentId = parent.parent_id;
  }
  return out;
}

/**
 * The nearest org above `org` in which `openId` is a current admin: who may see into `org` from above
 * (undefined when nobody above lets them). A member (not admin) of the 党委 never sees into a 支部.
 */
export async function adminAbove(
  db: Kysely<Database>,
  org: Pick<Org, 'parent_id'>,
  openId: string,
): Promise<Org | undefined> {
  const ancestors = await listAncestors(db, org);
  if (ancestors.length === 0) return undefined;
  const rows = await db
    .selectFrom('members')
    .select(['org_id', 'role'])
    .where('open_id', '=', openId)
    .where('left_at', 'is', null)
    .where(
      'org_id',
      'in',
      ancestors.map((a) => a.id),
    )
    .execute();
  const adminOf = new Set(rows.filter((r) => isAdminRole(roleOf(r))).map((r) => r.org_id));
  return ancestors.find((a) => adminOf.has(a.id));
}

export async function setOrgLevel(db: Kysely<Database>, orgId: number, level: OrgLevel | null): Promise<void> {
  await db.updateTable('orgs').set({ level }).where('id', '=', orgId).execute();
}

/**
 * Puts `childId` under `parentId`, only if it has no parent yet (with null: under nobody). Returns
 * whether it was written: false for a cycle, or when the org already has a parent — the write itself
 * says so (`… WHERE parent_id IS NULL`), so of two links accepted at once for one org only one applies
 * (on PostgreSQL the second UPDATE waits for the first and re-reads the committed row).
 */
export async function setParent(db: Kysely<Database>, childId: number, parentId: number | null): Promise<boolean> {
  if (parentId === null) {
    await db.updateTable('orgs').set({ parent_id: null }).where('id', '=', childId).execute();
    return true;
  }
  if (parentId === childId) return false;
  const parent = await db.selectFrom('orgs').selectAll().where('id', '=', parentId).executeTakeFirst();
  if (!parent) return false;
  const above = await listAncestors(db, parent);
  if (above.some((o) => o.id === childId)) return false;
  const r = await db
    .updateTable('orgs')
    .set({ parent_id: parentId })
    .where('id', '=', childId)
    .where('parent_id', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
