/** The quarter-end roll-up (季季报汇总): per owner and per item, from the tasks due in the quarter. */
import type { Kysely } from 'kysely';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import { findOrgById } from '../../db/repositories/orgs.ts';
import type { Database } from '../../db/schema.ts';
import type { QuarterWindow } from '../../domain/periods.ts';
import { type LedgerStatus, ledgerStatus } from './model.ts';
import { listQuarterlyReports, listTasksDueIn } from './repository.ts';
import type { RollupCounts, RollupView } from './task-card.ts';

/** The roll-up's column of each 台账 status. */
const COLUMNS: Record<LedgerStatus, keyof RollupCounts> = {
  '已完成（已验收）': 'accepted',
  已完成: 'done',
  待验收: 'review',
  进行中: 'inProgress',
  未开始: 'notStarted',
  遇到困难: 'blocked',
  逾期: 'overdue',
  未完成: 'missed',
};

const noTasks = (): RollupCounts => ({
  accepted: 0,
  done: 0,
  review: 0,
  inProgress: 0,
  notStarted: 0,
  blocked: 0,
  overdue: 0,
  missed: 0,
});

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
      ...noTasks(),
      reported: reports.has(t.owner_open_id),
      away,
    };
    const i = items.get(t.item_id) ?? { seq: t.seq, content: t.content, ...noTasks() };
    // Each task in one column, as the 台账 reads it (model.ts `ledgerStatus`), so the columns add up to
    // every task; a task of an owner on leave is not 逾期 but stays in its own status's column.
    const status = ledgerStatus(t, today);
    const column = COLUMNS[status === '逾期' && away ? ledgerStatus(t, t.due_date) : status];
    o[column]++;
    i[column]++;
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
