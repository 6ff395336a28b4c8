/**
 * Pressure passed down (issue 15 item 4): a 党委's admins 下发 an item of its 清单 to all or chosen lower
 * orgs — each gets a copy in its own list of that year (no owners yet) and a notice in its group — its
 * secretary names the owners (`/清单 指派`, the same assignment as `/任务 指派`), each owner gets their
 * task as for any item, and the 党委 reads per lower org the status and evidence (下发情况).
 */
import { actionsOf } from '../../cards/contract.ts';
import { clip, plain, textMessage } from '../../cards/text.ts';
import type { ActingContext, BaseContext, ChatRef } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { CardSubject } from '../../core/live-cards.ts';
import type { Outgoing } from '../../core/message.ts';
import { findMember } from '../../db/repositories/members.ts';
import { listChildren } from '../../db/repositories/org-tree.ts';
import { listOrgChats } from '../../db/repositories/orgs.ts';
import type { DutyItem, Member, Org } from '../../db/schema.ts';
import { formatLocal } from '../../domain/time.ts';
import { requireUpperAdmin } from '../hierarchy/access.ts';
import { buildIssueNoticeCard, buildIssueResultCard, buildIssueStatusCard, dutyIssued } from './issue-cards.ts';
import { findCopy, findItemBySeq, lockDutyItem, orgNames } from './issue-repository.ts';
import { chooseTargets, dueWords, isFinished } from './issue-rules.ts';
import { copyRows } from './issue-tags.ts';
import { CADENCE_LABELS } from './model.ts';
import { createDutyItem, ensureDutyList, findDutyItem, listOwners } from './repository.ts';
import { assignOwner } from './service.ts';

type InOrg = ActingContext & { org: Org };

/** The notice in a lower org's group shows its copy (redrawn when the owners are named). */
const noticeSubject = (copy: DutyItem): CardSubject => ({ kind: 'duty_issue', id: copy.id, orgId: copy.org_id });

/** The item numbered `seq` on this year's list of the org, or a polite not-found. */
export async function requireItem(ctx: InOrg, seq: number) {
  const year = Number(ctx.today.slice(0, 4));
  const item = await findItemBySeq(ctx.db, ctx.org.id, year, seq);
  if (!item) throw new UserError('not_found', `${year}年主体责任清单中没有第 ${seq} 项，请先发送 /清单 查看序号。`);
  return item;
}

const dueOf = (i: DutyItem) => dueWords(i.cadence, i.due_date, i.due_day);

/** /清单 下发 <序号> 全部 | 名称…: a copy for each chosen lower org that has none yet, and its notice. */
export async function issueItem(ctx: InOrg, seq: number, words: readonly string[], usage: string): Promise<Outgoing> {
  const upper = await requireUpperAdmin(ctx);
  const lower = await listChildren(ctx.db, upper.id);
  if (lower.length === 0)
    throw new UserError(
      'bad_args',
      `「${upper.name}」还没有下级组织，没有可下发的对象。请先用 /组织 下级 添加 组织名称 添加下级组织。`,
    );
  const item = await requireItem(ctx, seq);
  const chosen = chooseTargets(words, lower, upper.name);
  if ('error' in chosen) throw new UserError('bad_args', chosen.error, usage);
  await lockDutyItem(ctx.db, item.id);
  const at = ctx.now.toISOString();
  const created: string[] = [];
  const already: string[] = [];
  const unsent: string[] = [];
  for (const org of chosen.orgs) {
    if (await findCopy(ctx.db, org.id, item.id)) {
      already.push(org.name);
      continue;
    }
    const list = await ensureDutyList(ctx.db, org.id, item.year, at);
    // Appended after the lower org's own items (the next 序号): its approved numbering stays.
    const copy = await createDutyItem(ctx.db, {
      list_id: list.id,
      org_id: org.id,
      category: item.category,
      content: item.content,
      leader: '',
      cadence: item.cadence,
      due_date: item.due_date,
      due_day: item.due_day,
      evidence: item.evidence,
      import_key: null,
      source_item_id: item.id,
      source_org_id: upper.id,
      created_by: ctx.actor.openId,
      created_at: at,
      updated_at: at,
    });
    await ctx.audit({
      action: 'duty:issue',
      subject: `duty:${copy.id}`,
      after: { source: item.id, org: org.id, seq: copy.seq },
    });
    created.push(org.name);
    const main = (await listOrgChats(ctx.db, org.id))[0];
    if (main) await ctx.cards.send(noticeSubject(copy), { chatId: main.chatId }, noticeCard(copy, upper.name, []));
    else unsent.push(org.name);
  }
  const card = buildIssueResultCard({
    orgId: upper.id,
    itemId: item.id,
    seq,
    content: item.content,
    due: dueOf(item),
    created,
    already,
    unsent,
  });
  return { type: 'card', card };
}

function noticeCard(copy: DutyItem, fromName: string, owners: string[]) {
  return buildIssueNoticeCard({
    fromName,
    seq: copy.seq,
    content: copy.content,
    category: copy.category,
    cadenceLabel: CADENCE_LABELS[copy.cadence],
    due: dueOf(copy),
    evidence: copy.evidence,
    owners,
  });
}

/**
 * The 下发情况 of an upper org's item: its copies held by the orgs under it now. Asked in a lower org
 * about a copy it received, the answer points to its own tasks: the view is the upper org's.
 */
export async function issueStatusCard(ctx: InOrg, item: DutyItem) {
  const rows = await copyRows(ctx.db, [item], ctx.org.id, ctx.today);
  if (rows.length === 0 && item.source_org_id !== null) {
    const from = (await orgNames(ctx.db, [item.source_org_id])).get(item.source_org_id) ?? '上级党组织';
    throw new UserError(
      'forbidden',
      `第 ${item.seq} 项是「${from}」下发的任务，下发情况由「${from}」的管理员查看；本组织的落实情况请发送 /任务 列表 全部 查看。`,
    );
  }
  await requireUpperAdmin(ctx);
  if (rows.length === 0)
    throw new UserError('not_found', `第 ${item.seq} 项还没有下发给下级组织。下发：/清单 下发 ${item.seq} 全部`);
  const tz = ctx.settings.timezone;
  return buildIssueStatusCard({
    orgId: ctx.org.id,
    itemId: item.id,
    seq: item.seq,
    content: item.content,
    due: dueOf(item),
    asOf: formatLocal(ctx.now, tz),
    rows: rows.map((r) => ({
      org: r.orgName,
      owners: r.owners,
      status: r.status,
      finished: isFinished(r.status),
      evidence: r.evidence,
      updated: formatLocal(new Date(r.updatedAt), tz),
    })),
  });
}

/** The upper org's item a 查看下发情况 / 刷新 button names (another org's looks missing). */
export async function requireOwnItem(ctx: InOrg, id: number): Promise<DutyItem> {
  const item = await findDutyItem(ctx.db, id);
  if (!item || item.org_id !== ctx.org.id || item.active !== 1) throw new UserError('not_found', '没有找到这项任务。');
  return item;
}

/**
 * /清单 指派 <序号> @某人…: names owners of an item of the org's list (a copy 下发 from above, or any
 * other), through the same assignment as /任务 指派: each new owner gets this period's task privately.
 */
export async function assignItemOwners(
  ctx: InOrg,
  seq: number,
  people: readonly { openId: string; name: string }[],
): Promise<Outgoing> {
  const item = await requireItem(ctx, seq);
  const members: Member[] = [];
  for (const p of people) {
    const m = await findMember(ctx.db, ctx.org.id, p.openId);
    if (!m) throw new UserError('not_found', `${p.name}不是本组织成员，请先用 /角色 把其加入。`);
    if (!members.some((x) => x.open_id === m.open_id)) members.push(m);
  }
  const before = new Set((await listOwners(ctx.db, item.id)).map((o) => o.open_id));
  const fresh = members.filter((m) => !before.has(m.open_id));
  if (fresh.length === 0)
    throw new UserError('conflict', `${members.map((m) => m.name).join('、')}已经是第 ${seq} 项的责任人。`);
  for (const m of fresh) await assignOwner(ctx, item, { openId: m.open_id, name: m.name });
  if (item.source_org_id !== null) await refreshNotice(ctx, item);
  return textMessage`已为第 ${seq} 项“${plain(clip(item.content, 40), 60)}”指定责任人：${plain(fresh.map((m) => m.name).join('、'), 300)}，任务卡片已私信发送。`;
}

/** The notice of a copy in its org's group, redrawn with the owners now named. */
async function refreshNotice(ctx: BaseContext, copy: DutyItem): Promise<void> {
  const from = (await orgNames(ctx.db, [copy.source_org_id as number])).get(copy.source_org_id as number) ?? '';
  const owners = (await listOwners(ctx.db, copy.id)).map((o) => o.name);
  await ctx.cards.refresh(noticeSubject(copy), () => noticeCard(copy, from, owners));
}

/** What the group hears when /清单 下发情况 is asked there: the card itself went privately. */
export const ISSUED_SENT_PRIVATELY = '下发情况已私信发送，请在与清风的单聊中查看。';

/**
 * /清单 下发情况: each lower org's owners and evidence are for the upper org's admin who asked, not for
 * every member of its group — in a group the card goes privately (as the roll-up's 查看) and the group
 * hears only that.
 */
export async function issueStatusAnswer(ctx: InOrg & { chat: ChatRef }, seq: number): Promise<Outgoing> {
  const card: Outgoing = { type: 'card', card: await issueStatusCard(ctx, await requireItem(ctx, seq)) };
  if (ctx.chat.type !== 'group') return card;
  await ctx.outbox.send({ openId: ctx.actor.openId }, card, { orgId: ctx.org.id });
  return textMessage`${ISSUED_SENT_PRIVATELY}`;
}

/**
 * 查看下发情况 on the 下发 answer: the card goes to the admin who pressed it, privately (a group card
 * is shared: the answer stays as it was, the toast says where it went); in a private chat it comes as a
 * new message under the answer. 刷新 redraws the private card in place; pressed on a 下发情况 card
 * left in a group, the fresh card goes privately too and the group card stays as it is.
 */
export const issueActions = actionsOf(
  dutyIssued.define({
    roles: 'admin',
    org: 'required',
    async handle(ctx, v) {
      const card = await issueStatusCard(ctx, await requireOwnItem(ctx, v.id));
      if (v.r) return { toast: { type: 'success', content: '已刷新' }, personal: card };
      if (ctx.chat?.type === 'group') return { personal: card };
      await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
      return { toast: { type: 'info', content: '已发送下发情况' } };
    },
  }),
);
