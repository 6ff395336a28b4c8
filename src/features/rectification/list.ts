/** The `/整改 列表` views: filters by key (`mine`, `overdue`, `review`, `all`, `b:<batch>`, `u:<open_id>`) and pages. */

import { pagePosition, pageRange } from '../../cards/paging.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { findMember } from '../../db/repositories/members.ts';
import { localDate } from '../../domain/time.ts';
import { findBatch, findBatchByName } from './batch-repository.ts';
import { buildRectListCard } from './item-card.ts';
import { deadlineText, RECT_STATUS_LABELS } from './model.ts';
import { listRectifications, type RectFilter } from './repository.ts';

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
  if (key === 'mine') {
    filter = { kind: 'mine', openId: ctx.actor.openId };
    title = '我的整改事项（未销号）';
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
  } else if (key.startsWith('u:')) {
    const m = await findMember(ctx.db, org.id, key.slice(2));
    filter = { kind: 'owner', openId: key.slice(2) };
    title = `整改事项 · ${m?.name ?? '该成员'}`;
  } else {
    filter = { kind: 'all' };
    title = '全部整改事项';
  }
  const { items, total } = await listRectifications(ctx.db, org.id, filter, pageRange(page, PAGE_SIZE));
  return buildRectListCard({
    orgId: org.id,
    title,
    filterKey: key,
    ...pagePosition(page, total, PAGE_SIZE),
    items: items.map((i) => {
      const closedOn = i.closed_at ? localDate(new Date(i.closed_at), ctx.settings.timezone) : null;
      return {
        id: i.id,
        problem: i.problem,
        ownerName: i.owner_name,
        deadline: i.deadline,
        deadlineText: deadlineText(i.deadline, { today, closedOn }),
        statusLabel: RECT_STATUS_LABELS[i.status],
        late: i.late === 1 || (i.status !== 'closed' && today > i.deadline),
      };
    }),
  });
}
