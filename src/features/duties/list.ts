/**
 * The `/任务 列表` views: `mine`, `overdue`, `all`, `u:<open_id>`, `c:<category>`, with paging; and the
 * 月月提 checklist of one owner's open tasks.
 */

import { pagePosition, pageRange } from '../../cards/paging.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { findMember } from '../../db/repositories/members.ts';
import { DUTY_CATEGORIES, TASK_STATUS_LABELS } from './model.ts';
import { listTasks, type TaskFilter } from './repository.ts';
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
  if (key === 'mine') [filter, title] = [{ kind: 'mine', openId: ctx.actor.openId }, '我的责任任务'];
  else if (key === 'overdue') [filter, title] = [{ kind: 'overdue', today }, '逾期的责任任务'];
  else if (key.startsWith('u:')) {
    const m = await findMember(ctx.db, org.id, key.slice(2));
    [filter, title] = [{ kind: 'owner', openId: key.slice(2) }, `责任任务 · ${m?.name ?? '该成员'}`];
  } else if (key.startsWith('c:'))
    [filter, title] = [{ kind: 'category', category: key.slice(2) }, `责任任务 · ${key.slice(2)}`];
  else [filter, title] = [{ kind: 'all' }, '全部未完成的责任任务'];
  const size = 10;
  const { rows, total } = await listTasks(ctx.db, org.id, filter, pageRange(page, size));
  return buildTaskListCard({
    orgId: org.id,
    title,
    filterKey: key,
    ...pagePosition(page, total, size),
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
