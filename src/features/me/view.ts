/** "我的": the caller's orgs and roles, and their open items with deadlines. */
import type { Kysely } from 'kysely';
import type { MeOpenItem, MeView } from '../../cards/me-card.ts';
import type { Database } from '../../db/schema.ts';
import { OPEN_TASK_STATUSES, TASK_STATUS_LABELS } from '../duties/model.ts';
import { RECT_STATUS_LABELS } from '../rectification/model.ts';

/** Each kind of open item (rectifications, tasks …) has a loader. */
type OpenItemsLoader = (db: Kysely<Database>, openId: string, today: string) => Promise<MeOpenItem[]>;

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
      status: RECT_STATUS_LABELS[r.status],
      overdue: r.deadline < today && r.status !== 'ongoing',
    }));
  },
  async (db, openId, today) => {
    const rows = await db
      .selectFrom('tasks')
      .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
      .select(['tasks.id', 'duty_items.content', 'tasks.due_date', 'tasks.status'])
      .where('tasks.owner_open_id', '=', openId)
      .where('tasks.status', 'in', [...OPEN_TASK_STATUSES])
      .orderBy('tasks.due_date')
      .execute();
    return rows.map((r) => ({
      kind: '任务',
      id: r.id,
      title: r.content,
      deadline: r.due_date,
      status: TASK_STATUS_LABELS[r.status],
      overdue: r.due_date < today,
    }));
  },
];

export async function loadMeView(db: Kysely<Database>, openId: string, today: string): Promise<MeView> {
  const memberships = await db
    .selectFrom('members')
    .innerJoin('orgs', 'orgs.id', 'members.org_id')
    .select(['orgs.name as org_name', 'members.role', 'members.name', 'members.away_until'])
    .where('members.open_id', '=', openId)
    .where('members.left_at', 'is', null)
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
