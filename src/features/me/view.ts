/** "我的": the caller's orgs and roles, and their open items with deadlines. */
import type { Kysely } from 'kysely';
import type { MeOpenItem, MeView } from '../../cards/me-card.ts';
import { listMembershipsOf } from '../../db/repositories/members.ts';
import type { Database } from '../../db/schema.ts';
import { TASK_STATUS_LABELS } from '../duties/model.ts';
import { openItemsOf } from '../membership/service.ts';
import { RECT_STATUS_LABELS } from '../rectification/model.ts';

export async function loadMeView(db: Kysely<Database>, openId: string, today: string): Promise<MeView> {
  const memberships = await listMembershipsOf(db, openId);
  const items = await openItemsOf(db, openId);
  const open: MeOpenItem[] = [
    ...items.rectifications.map((r) => ({
      kind: '整改',
      id: r.id,
      title: r.problem,
      deadline: r.deadline,
      status: RECT_STATUS_LABELS[r.status],
      overdue: r.deadline < today && r.status !== 'ongoing',
    })),
    ...items.tasks.map((t) => ({
      kind: '任务',
      id: t.id,
      title: t.content,
      deadline: t.due,
      status: TASK_STATUS_LABELS[t.status],
      overdue: t.due < today,
    })),
  ].sort((a, b) => a.deadline.localeCompare(b.deadline));
  return {
    name: memberships[0]?.name,
    memberships: memberships.map((m) => ({
      orgName: m.orgName,
      role: m.role,
      awayUntil: m.awayUntil && m.awayUntil >= today ? m.awayUntil : null,
    })),
    open,
  };
}
