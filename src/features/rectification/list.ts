/** The `/整改 列表` views: filters by key (`mine`, `overdue`, `review`, `all`, `b:<batch>`, `u:<open_id>`) and pages. */

import type { StatusCount } from '../../cards/list-summary.ts';
import { pagePosition, pageRange } from '../../cards/paging.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { findMember } from '../../db/repositories/members.ts';
import { localDate } from '../../domain/time.ts';
import { findBatch, findBatchByName } from './batch-repository.ts';
import { buildRectListCard } from './item-card.ts';
import {
  deadlineText,
  deadlineTone,
  lateness,
  OPEN_RECT_STATUSES,
  RECT_STATUS_LABELS,
  type RectStatus,
} from './model.ts';
import { countRectifications, listRectifications, type RectFilter } from './repository.ts';

export const PAGE_SIZE = 10;

const FILTER_WORDS: Record<string, string> = {
  我的: 'mine',
  mine: 'mine',
  my: 'mine',
  逾期: 'overdue',
  overdue: 'overdue',
  待审核: 'review',
  审核: 'review',
  review: 'review',
  全部: 'all',
  所有: 'all',
  all: 'all',
  未完成: 'open',
  open: 'open',
};

/** Turns the words of `/整改 列表 …` into a filter key. */
export async function filterKeyOf(
  ctx: ActingContext,
  word: string | undefined,
  mention: { openId: string } | undefined,
): Promise<string> {
  if (mention) return `u:${mention.openId}`;
  if (!word) return 'mine';
  const known = FILTER_WORDS[word.toLowerCase()];
  if (known) return known;
  const batch = ctx.org ? await findBatchByName(ctx.db, ctx.org.id, word) : undefined;
  if (batch) return `b:${batch.id}`;
  throw new UserError('bad_args', `不认识的筛选条件“${word}”。可用：我的、逾期、待审核、全部、批次名称，或 @某人。`);
}

export async function buildListCard(ctx: ActingContext, key: string, page: number): Promise<Card> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const today = ctx.today;
  let filter: RectFilter;
  let title: string;
  // The counts above the rows are of the ledger the rows come from: the person's, the batch's or the
  // whole org's (a list of the open, overdue or waiting ones counts the whole ledger).
  let scope: { filter: RectFilter; label: string } = { filter: { kind: 'all' }, label: '全部整改事项' };
  if (key === 'mine') {
    filter = { kind: 'mine', openId: ctx.actor.openId };
    title = '我的整改事项（未销号）';
    scope = { filter: { kind: 'owner', openId: ctx.actor.openId }, label: '我的整改事项' };
  } else if (key === 'overdue') {
    filter = { kind: 'overdue', today };
    title = '逾期未完成的整改事项';
  } else if (key === 'review') {
    filter = { kind: 'review' };
    title = '待审核的整改事项';
  } else if (key === 'open') {
    filter = { kind: 'open' };
    title = '未销号的整改事项';
  } else if (key.startsWith('b:')) {
    const batch = await findBatch(ctx.db, Number(key.slice(2)));
    if (!batch || batch.org_id !== org.id) throw new UserError('not_found', '没有找到这个批次。');
    filter = { kind: 'batch', batchId: batch.id };
    title = `整改事项 · ${batch.name}`;
    scope = { filter, label: '本批次' };
  } else if (key.startsWith('u:')) {
    const m = await findMember(ctx.db, org.id, key.slice(2));
    filter = { kind: 'owner', openId: key.slice(2) };
    title = `整改事项 · ${m?.name ?? '该成员'}`;
    scope = { filter, label: m?.name ?? '该成员' };
  } else {
    filter = { kind: 'all' };
    title = '全部整改事项';
  }
  const { items, total } = await listRectifications(ctx.db, org.id, filter, pageRange(page, PAGE_SIZE), today);
  return buildRectListCard({
    orgId: org.id,
    title,
    filterKey: key,
    ...pagePosition(page, total, PAGE_SIZE),
    scope: scope.label,
    counts: rectStatusCounts(await countRectifications(ctx.db, org.id, scope.filter, today)),
    items: items.map((i) => {
      const closedOn = i.closed_at ? localDate(new Date(i.closed_at), ctx.settings.timezone) : null;
      return {
        id: i.id,
        problem: i.problem,
        ownerName: i.owner_name,
        deadline: i.deadline,
        deadlineText: deadlineText(i.deadline, { today, closedOn }),
        statusLabel: RECT_STATUS_LABELS[i.status],
        dueTone: deadlineTone(i.deadline, { today, closedOn }),
        late: lateness(i, { today, closedOn }).late,
      };
    }),
  });
}

/**
 * The counts by status, as the issue reads them: 已销号 (what the completion rate counts) first, then
 * each open status, 逾期 (open past the deadline, whatever its status) last, in red.
 */
export function rectStatusCounts(rows: readonly { status: RectStatus; n: number; late: boolean }[]): StatusCount[] {
  const n = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((t, r) => t + r.n, 0);
  const order: RectStatus[] = ['closed', ...OPEN_RECT_STATUSES];
  return [
    ...order.map((s) => ({
      label: RECT_STATUS_LABELS[s],
      count: n((r) => r.status === s && !r.late),
      ...(s === 'closed' ? { done: true } : {}),
    })),
    { label: '逾期', count: n((r) => r.late), late: true },
  ];
}
