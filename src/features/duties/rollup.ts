/** The quarter-end roll-up (季季报汇总): per owner and per item, from the tasks due in the quarter. */
import type { Kysely } from 'kysely';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import { findOrgById } from '../../db/repositories/orgs.ts';
import type { Database } from '../../db/schema.ts';
import type { QuarterWindow } from '../../domain/periods.ts';
import { isFinishedTask, isOpenTask } from './model.ts';
import { listQuarterlyReports, listTasksDueIn } from './repository.ts';
import type { RollupView } from './task-card.ts';

export async function rollupView(
  ctx: { db: Kysely<Database> },
  orgId: number,
  q: QuarterWindow,
  today: string,
): Promise<RollupView> {
  const org = await findOrgById(ctx.db, orgId);
  const tasks = await listTasksDueIn(ctx.db, orgId, q.start, q.end);
  const reports = new Set((await listQuarterlyReports(ctx.db, orgId, q.key)).map((r) => r.owner_open_id));
  const members = await membersByOpenId(ctx.db, orgId);
  const owners = new Map<string, RollupView['owners'][number]>();
  const items = new Map<number, RollupView['items'][number]>();
  for (const t of tasks) {
    const away = isAway(members.get(t.owner_open_id), today);
    const o = owners.get(t.owner_open_id) ?? {
      name: t.owner_name,
      done: 0,
      review: 0,
      inProgress: 0,
      notStarted: 0,
      blocked: 0,
      overdue: 0,
      missed: 0,
      reported: reports.has(t.owner_open_id),
      away,
    };
    const i = items.get(t.item_id) ?? {
      seq: t.seq,
      content: t.content,
      done: 0,
      review: 0,
      total: 0,
      overdue: 0,
      missed: 0,
    };
    const overdue = isOpenTask(t.status) && t.due_date < today;
    i.total++;
    if (isFinishedTask(t.status)) [o.done, i.done] = [o.done + 1, i.done + 1];
    else if (t.status === 'submitted') [o.review, i.review] = [o.review + 1, i.review + 1];
    else if (t.status === 'missed') [o.missed, i.missed] = [o.missed + 1, i.missed + 1];
    else if (overdue && !away) [o.overdue, i.overdue] = [o.overdue + 1, i.overdue + 1];
    else if (t.status === 'not_started') o.notStarted++;
    else if (t.status === 'blocked') o.blocked++;
    else o.inProgress++;
    owners.set(t.owner_open_id, o);
    items.set(t.item_id, i);
  }
  return {
    orgName: org?.name ?? '',
    quarter: q.key,
    owners: [...owners.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh')),
    items: [...items.values()].sort((a, b) => a.seq - b.seq),
  };
}
