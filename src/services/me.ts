/** "我的": the caller's orgs and roles, and their open items with deadlines. */
import type { Kysely } from 'kysely';
import type { MeOpenItem, MeView } from '../cards/me-card.ts';
import type { Database } from '../db/schema.ts';
import { RECT_STATUS_LABELS, type RectStatus } from '../domain/rectification.ts';

/** Open items of other kinds (tasks …) register a loader here. */
export type OpenItemsLoader = (db: Kysely<Database>, openId: string, today: string) => Promise<MeOpenItem[]>;

const loaders: OpenItemsLoader[] = [
  async (db, openId, today) => {
    const rows = await db
      .selectFrom('rectifications')
      .select(['id', 'problem', 'deadline', 'status'])
      .where('owner_open_id', '=', openId)
      .where('status', '!=', 'closed')
      .orderBy('deadline')
      .execute();
    return rows.map((r) => ({
      kind: '整改',
      id: r.id,
      title: r.problem,
      deadline: r.deadline,
      status: RECT_STATUS_LABELS[r.status as RectStatus] ?? r.status,
      overdue: r.deadline < today && r.status !== 'ongoing',
    }));
  },
];

export function registerOpenItems(loader: OpenItemsLoader): void {
  loaders.push(loader);
}

export async function loadMeView(db: Kysely<Database>, openId: string, today: string): Promise<MeView> {
  const memberships = await db
    .selectFrom('members')
    .innerJoin('orgs', 'orgs.id', 'members.org_id')
    .select(['orgs.name as org_name', 'members.role', 'members.name', 'members.away_until'])
    .where('members.open_id', '=', openId)
    .orderBy('orgs.id')
    .execute();
  const open = (await Promise.all(loaders.map((l) => l(db, openId, today))))
    .flat()
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
  return {
    name: memberships[0]?.name,
    memberships: memberships.map((m) => ({
      orgName: m.org_name,
      role: m.role as MeView['memberships'][number]['role'],
      awayUntil: m.away_until && m.away_until >= today ? m.away_until : null,
    })),
    open,
  };
}
