/**
 * The `/任务 列表` views: `mine`, `overdue`, `all`, `u:<open_id>`, `c:<category>`, with paging; and the
 * 月月提 checklist of one owner's open tasks.
 */

import type { StatusCount } from '../../cards/list-summary.ts';
import { pagePosition, pageRange } from '../../cards/paging.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { findMember } from '../../db/repositories/members.ts';
import { DUTY_CATEGORIES, LEDGER_STATUSES, ledgerStatus, TASK_STATUS_LABELS, type TaskStatus } from './model.ts';
import { countTasks, listTasks, type TaskFilter } from './repository.ts';
import { buildChecklistCard, buildTaskListCard } from './task-card.ts';

const WORDS: Record<string, string> = {
  我的: 'mine',
  mine: 'mine',
  逾期: 'overdue',
  overdue: 'overdue',
  全部: 'all',
  all: 'all',
};

export function taskFilterKey(word: string | undefined, mention: { openId: string } | undefined): string {
  if (mention) return `u:${mention.openId}`;
  if (!word) return 'mine';
  const w = WORDS[word.toLowerCase()];
  if (w) return w;
  if ((DUTY_CATEGORIES as readonly string[]).includes(word)) return `c:${word}`;
  throw new UserError(
    'bad_args',
    `不认识的筛选条件“${word}”。可用：我的、逾期、全部、@某人，或类别（${DUTY_CATEGORIES.join('、')}）。`,
  );
}

export async function buildTaskList(ctx: ActingContext, key: string, page: number): Promise<Card> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const today = ctx.today;
  let filter: TaskFilter;
  let title: string;
  // The rows are open tasks; the counts above them are of the year's tasks they come from (the
  // person's, the category's or the org's), so that the completion rate means something.
  let scope: { openId?: string; category?: string; label: string } = { label: '本年度全部任务' };
  if (key === 'mine') {
    [filter, title] = [{ kind: 'mine', openId: ctx.actor.openId }, '我的责任任务'];
    scope = { openId: ctx.actor.openId, label: '我本年度的任务' };
  } else if (key === 'overdue') [filter, title] = [{ kind: 'overdue', today }, '逾期的责任任务'];
  else if (key.startsWith('u:')) {
    const m = await findMember(ctx.db, org.id, key.slice(2));
    [filter, title] = [{ kind: 'owner', openId: key.slice(2) }, `责任任务 · ${m?.name ?? '该成员'}`];
    scope = { openId: key.slice(2), label: `${m?.name ?? '该成员'}本年度的任务` };
  } else if (key.startsWith('c:')) {
    [filter, title] = [{ kind: 'category', category: key.slice(2) }, `责任任务 · ${key.slice(2)}`];
    scope = { category: key.slice(2), label: `本年度${key.slice(2)}任务` };
  } else [filter, title] = [{ kind: 'all' }, '全部未完成的责任任务'];
  const size = 10;
  const { rows, total } = await listTasks(ctx.db, org.id, filter, pageRange(page, size));
  const year = today.slice(0, 4);
  const { label, ...who } = scope;
  const counted = await countTasks(ctx.db, org.id, { from: `${year}-01-01`, to: `${year}-12-31`, ...who });
  return buildTaskListCard({
    orgId: org.id,
    title,
    filterKey: key,
    ...pagePosition(page, total, size),
    scope: label,
    counts: taskStatusCounts(counted, today),
    rows: rows.map((r) => ({
      id: r.id,
      content: r.content,
      ownerName: r.owner_name,
      dueDate: r.due_date,
      statusLabel: TASK_STATUS_LABELS[r.status],
      overdue: r.due_date < today,
    })),
  });
}

/** 月月提: the checklist of an owner's open tasks (rows of `listTasks`) for this month, overdue ones marked. */
export function checklistCard(o: {
  orgId: number;
  today: string;
  name: string;
  rows: Awaited<ReturnType<typeof listTasks>>['rows'];
}): Card {
  return buildChecklistCard({
    orgId: o.orgId,
    month: o.today.slice(0, 7),
    name: o.name,
    tasks: o.rows.map((r) => ({
      id: r.id,
      content: r.content,
      dueDate: r.due_date,
      statusLabel: TASK_STATUS_LABELS[r.status],
      overdue: r.due_date < o.today,
    })),
  });
}

/**
 * Tasks by how the 台账 reads them (`ledgerStatus`: each once, 逾期 before its own status), in the
 * 台账's order; 已完成（已验收） and 已完成 are what the completion rate counts, 逾期 is red.
 */
export function taskStatusCounts(
  rows: readonly { status: TaskStatus; due_date: string; n: number }[],
  today: string,
): StatusCount[] {
  const by = new Map<string, number>();
  for (const r of rows) {
    const s = ledgerStatus(r, today);
    by.set(s, (by.get(s) ?? 0) + r.n);
  }
  return LEDGER_STATUSES.map((s) => ({
    label: s,
    count: by.get(s) ?? 0,
    ...(s === '已完成（已验收）' || s === '已完成' ? { done: true } : {}),
    ...(s === '逾期' ? { late: true } : {}),
  }));
}
