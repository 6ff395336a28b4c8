/**
 * Rectification operations: each checks who is acting, changes the item in the caller's
 * transaction, writes the history and an audit row with before and after, tells the people
 * concerned (through the outbox) and updates every card that shows the item (rect-cards.ts).
 */

import { clip, plain, textMessage } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext, Actor, BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isAdminRole } from '../../core/roles.ts';
import { listMembers, roleOf } from '../../db/repositories/members.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { ExtensionRequest, Rectification } from '../../db/schema.ts';
import { listBatches } from './batch-repository.ts';
import { buildExtensionCard, buildRectNewCard, buildRectReviewCard } from './item-card.ts';
import { daysLate, type EvidenceKind, RECT_SOURCES } from './model.ts';
import { itemSubject, sendItemCard, viewOf } from './refresh.ts';
import {
  addEvent,
  addEvidence,
  createExtensionRequest,
  createRectification,
  findPendingExtension,
  findRectification,
  listEvidence,
  type NewRectification,
  decideExtension as saveDecision,
  updateRectification,
} from './repository.ts';
import * as rules from './rules.ts';

export { itemSubject, loadItemView, refreshItemCards, sendItemCard, viewOf } from './refresh.ts';

const actorName = (a: Actor) => a.name ?? a.openId;

/** The item if it exists in the actor's org; a missing and a foreign item look the same. */
export async function requireItem(ctx: ActingContext, id: number): Promise<Rectification> {
  const item = await findRectification(ctx.db, id);
  if (!item || !ctx.org || item.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到整改事项 #${id}。`);
  return item;
}

/**
 * The item locked for the rest of the transaction, as committed now (versioned.ts): every action
 * that changes an item decides on this row, so of concurrent actions exactly one acts.
 */
export async function lockItem(ctx: ActingContext, id: number): Promise<Rectification> {
  const item = await lockRow(ctx.db, 'rectifications', id);
  if (!item || !ctx.org || item.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到整改事项 #${id}。`);
  return item;
}

async function record(
  ctx: ActingContext,
  before: Rectification | undefined,
  after: Rectification,
  e: rules.RectHistoryEntry,
) {
  await addEvent(ctx.db, {
    item_id: after.id,
    at: ctx.now.toISOString(),
    actor_open_id: ctx.actor.openId,
    actor_name: actorName(ctx.actor),
    kind: e.kind,
    percent: e.percent ?? null,
    text: e.text ?? null,
  });
  const snap = (r: Rectification | undefined) =>
    r && {
      status: r.status,
      progress: r.progress,
      deadline: r.deadline,
      owner: r.owner_open_id,
      late: r.late,
      version: r.version,
    };
  await ctx.audit({
    action: `rectification:${e.kind}`,
    subject: `rectification:${after.id}`,
    before: snap(before) ?? null,
    after: snap(after),
  });
}

const when = (ctx: BaseContext): rules.RectWhen => ({ at: ctx.now.toISOString(), today: ctx.today });

/** Writes a transition's change, its history line and audit row; returns the item as now stored. */
async function apply(ctx: ActingContext, item: Rectification, t: rules.RectTransition): Promise<Rectification> {
  const after = await updateRectification(ctx.db, item, { ...t.update, updated_at: ctx.now.toISOString() });
  await record(ctx, item, after, t.history);
  return after;
}

/** The text a notice is sent as. */
function noticeText(n: Extract<rules.RectNotice, { to: string }>) {
  switch (n.kind) {
    case 'returned':
      return textMessage`您的整改事项 #${n.itemId} 销号申请被退回（${plain(n.by, 30)}）：${plain(n.reason, 300)}\n请补充后重新申请销号。`;
    case 'ongoing':
      return textMessage`您的长期整改事项 #${n.itemId} 已确认为阶段性完成，请继续按季度报告进展。`;
    case 'closed':
      return textMessage`您的整改事项 #${n.itemId} 已通过销号审核（审核人：${plain(n.by, 30)}）。`;
    case 'reopened':
      return textMessage`整改事项 #${n.itemId} 已被重新打开（${plain(n.by, 30)}）：${plain(n.reason, 300)}`;
    case 'extension_approved':
      return textMessage`整改事项 #${n.itemId} 的延期申请已同意：时限延至 ${n.newDeadline}。`;
    case 'extension_refused':
      return textMessage`整改事项 #${n.itemId} 的延期申请未获同意，请按原时限 ${n.oldDeadline} 完成。`;
  }
}

/** Sends the text notices of a transition (cards to an audience are sent by the operation). */
async function sendNotices(ctx: BaseContext, item: Rectification, notices: readonly rules.RectNotice[]) {
  for (const n of notices) {
    if ('to' in n) await ctx.outbox.send({ openId: n.to }, noticeText(n), { orgId: item.org_id });
  }
}

export async function createItem(
  ctx: ActingContext,
  v: Omit<NewRectification, 'created_by' | 'created_at' | 'updated_at'>,
) {
  const at = ctx.now.toISOString();
  const decided = rules.createRect({ deadline: v.deadline, imported: Boolean(v.import_key) }, ctx.today);
  const item = await createRectification(ctx.db, {
    ...v,
    late: decided.late,
    created_by: ctx.actor.openId,
    created_at: at,
    updated_at: at,
  });
  await record(ctx, undefined, item, decided.history);
  await sendItemCard(ctx, item, { openId: item.owner_open_id });
  return item;
}

export async function reportProgress(
  ctx: ActingContext,
  item: Rectification,
  p: { percent: number; text: string; link?: string },
) {
  const t = rules.reportProgress(item, ctx.actor, p, when(ctx));
  if (p.link) await saveEvidence(ctx, item, p.link);
  return apply(ctx, item, t);
}

async function saveEvidence(ctx: ActingContext, item: Rectification, text: string): Promise<void> {
  const value = clip(text.trim(), 500);
  const link = /^https?:\/\/\S+$/i.test(value);
  await addEvidence(ctx.db, {
    item_id: item.id,
    kind: link ? 'link' : 'text',
    value,
    name: clip(value, 120),
    added_by: ctx.actor.openId,
    at: ctx.now.toISOString(),
  });
}

/** Attaches a file (sent to the bot) or a link as evidence. */
export async function attachEvidence(
  ctx: ActingContext,
  item: Rectification,
  e: { kind: EvidenceKind; value: string; name: string },
) {
  const t = rules.attachEvidence(item, ctx.actor, e);
  await addEvidence(ctx.db, { item_id: item.id, ...e, added_by: ctx.actor.openId, at: ctx.now.toISOString() });
  return apply(ctx, item, t);
}

export async function submitForClosing(ctx: ActingContext, item: Rectification, p: { link?: string; note?: string }) {
  const evidence = (await listEvidence(ctx.db, item.id)).length + (p.link ? 1 : 0);
  const t = rules.submitForClosing(item, ctx.actor, { note: p.note, evidence }, when(ctx));
  if (p.link) await saveEvidence(ctx, item, p.link);
  const after = await apply(ctx, item, t);
  const view = await viewOf(ctx, after);
  for (const n of t.notices) {
    if (n.kind !== 'review_card') continue;
    for (const m of await listMembers(ctx.db, item.org_id)) {
      if (!(n.roles as readonly string[]).includes(m.role) || m.open_id === n.except) continue;
      await ctx.cards.send(itemSubject(item, 'rect_review'), { openId: m.open_id }, buildRectReviewCard(view));
    }
  }
  return after;
}

export async function reviewItem(
  ctx: ActingContext,
  item: Rectification,
  decision: rules.ReviewDecision,
  reason?: string,
) {
  const t = rules.reviewItem(item, ctx.actor, { decision, reason }, when(ctx));
  const after = await apply(ctx, item, t);
  await sendNotices(ctx, item, t.notices);
  return after;
}

export async function requestExtension(ctx: ActingContext, item: Rectification, newDeadline: string, reason: string) {
  const pending = (await findPendingExtension(ctx.db, item.id)) !== undefined;
  const t = rules.requestExtension(item, ctx.actor, { newDeadline, reason, pending });
  const req = await createExtensionRequest(ctx.db, {
    item_id: item.id,
    org_id: item.org_id,
    requested_by: ctx.actor.openId,
    ...t.request,
    created_at: ctx.now.toISOString(),
  });
  const after = await apply(ctx, item, t);
  const cardJson = await extensionCard(ctx, req, item);
  for (const n of t.notices) {
    if (n.kind !== 'extension_card') continue;
    for (const m of await listMembers(ctx.db, item.org_id)) {
      if (!isAdminRole(roleOf(m)) || m.open_id === n.except) continue;
      await ctx.cards.send({ kind: 'rect_extension', id: req.id, orgId: item.org_id }, { openId: m.open_id }, cardJson);
    }
  }
  return { request: req, item: after };
}

export async function extensionCard(ctx: BaseContext, req: ExtensionRequest, item: Rectification, decidedBy?: string) {
  const requester = (await listMembers(ctx.db, item.org_id)).find((m) => m.open_id === req.requested_by);
  return buildExtensionCard({
    requestId: req.id,
    orgId: item.org_id,
    itemId: item.id,
    problem: item.problem,
    ownerName: item.owner_name,
    requester: requester?.name ?? req.requested_by,
    oldDeadline: req.old_deadline,
    newDeadline: req.new_deadline,
    reason: req.reason,
    status: req.status,
    decidedBy,
  });
}

export async function decideExtension(ctx: ActingContext, request: ExtensionRequest, approve: boolean) {
  // The item first, then the request (the order every path takes), both as now committed.
  const item = await lockItem(ctx, request.item_id);
  const req = (await lockRow(ctx.db, 'extension_requests', request.id)) ?? request;
  const t = rules.decideExtension(item, req, ctx.actor, approve, when(ctx));
  await saveDecision(ctx.db, req.id, {
    status: t.request.status,
    by: t.request.decided_by,
    at: t.request.decided_at,
    note: null,
  });
  const after = await apply(ctx, item, t);
  await sendNotices(ctx, item, t.notices);
  return after;
}

export async function reopenItem(ctx: ActingContext, item: Rectification, reason: string) {
  const t = rules.reopenItem(item, ctx.actor, reason);
  const after = await apply(ctx, item, t);
  await sendNotices(ctx, item, t.notices);
  return after;
}

export { daysLate };

/** The new-item form (drawn again with `error`), with the org's members as owners and its batches. */
export async function newItemCard(
  db: BaseContext['db'],
  orgId: number,
  error?: string,
  ask?: Pick<Parameters<typeof buildRectNewCard>[0], 'values' | 'confirmPast'>,
): Promise<Card> {
  const [members, batches] = await Promise.all([listMembers(db, orgId), listBatches(db, orgId)]);
  const memberOpenIds = members.map((m) => m.open_id);
  return buildRectNewCard({ orgId, batches, memberOpenIds, sources: RECT_SOURCES, error, ...ask });
}
