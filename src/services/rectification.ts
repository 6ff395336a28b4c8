/**
 * Rectification operations: each checks who is acting, changes the item in the caller's
 * transaction, writes the history and an audit row with before and after, tells the people
 * concerned (through the outbox) and updates every card that shows the item.
 */
import type { Kysely } from 'kysely';
import {
  buildExtensionCard,
  buildRectItemCard,
  buildRectReviewCard,
  type RectItemView,
} from '../cards/rectification-card.ts';
import { clip, plain, textMessage } from '../cards/text.ts';
import type { Actor, BaseContext } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import { describeRoles, type Role } from '../core/roles.ts';
import { findBatch } from '../db/repositories/batches.ts';
import { listLiveCards, registerCard } from '../db/repositories/cards.ts';
import { listMembers } from '../db/repositories/members.ts';
import { findOutbox, supersedePending } from '../db/repositories/outbox.ts';
import {
  addEvent,
  addEvidence,
  createExtensionRequest,
  createRectification,
  findPendingExtension,
  findRectification,
  listEvents,
  listEvidence,
  type NewRectification,
  decideExtension as saveDecision,
  updateRectification,
} from '../db/repositories/rectifications.ts';
import { lockRow } from '../db/repositories/versioned.ts';
import type { Database, ExtensionRequest, Org, Rectification } from '../db/schema.ts';
import {
  daysLate,
  deadlineText,
  ownerMayWork,
  RECT_KIND_LABELS,
  RECT_STATUS_LABELS,
  REVIEWER_ROLES,
  type RectKind,
  type RectStatus,
} from '../domain/rectification.ts';
import { formatLocal, localDate } from '../domain/time.ts';

export type ActingContext = BaseContext & { actor: Actor; org: Org | undefined };

const EVENT_LABELS: Record<string, string> = {
  created: '创建',
  imported: '导入',
  import_update: '导入更新',
  progress: '报告进展',
  evidence: '补充佐证',
  submit: '申请销号',
  returned: '退回',
  closed: '通过销号',
  ongoing: '阶段性完成',
  extend_request: '申请延期',
  extend_approved: '同意延期',
  extend_refused: '拒绝延期',
  reopen: '重新打开',
};

const today = (ctx: BaseContext) => localDate(ctx.now, ctx.settings.timezone);
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

export async function loadItemView(
  db: Kysely<Database>,
  item: Rectification,
  todayDate: string,
  tz: string,
): Promise<RectItemView> {
  const [events, evidence, batch, ext] = await Promise.all([
    listEvents(db, item.id),
    listEvidence(db, item.id),
    item.batch_id ? findBatch(db, item.batch_id) : undefined,
    findPendingExtension(db, item.id),
  ]);
  const status = item.status as RectStatus;
  const closedOn = item.closed_at ? localDate(new Date(item.closed_at), tz) : null;
  const last = [...events].reverse().find((e) => e.kind === 'progress' || e.kind === 'submit');
  const late =
    item.late === 1 ||
    (status !== 'closed' && todayDate > item.deadline) ||
    (closedOn !== null && closedOn > item.deadline);
  return {
    id: item.id,
    orgId: item.org_id,
    version: item.version,
    status,
    statusLabel: RECT_STATUS_LABELS[status] ?? item.status,
    kind: item.kind,
    kindLabel: RECT_KIND_LABELS[item.kind as RectKind] ?? item.kind,
    source: item.source,
    batchName: batch?.name,
    problem: item.problem,
    measures: item.measures,
    leader: item.leader,
    ownerOpenId: item.owner_open_id,
    ownerName: item.owner_name,
    area: item.area,
    deadline: item.deadline,
    deadlineText: deadlineText(item.deadline, { today: todayDate, closedOn }),
    late,
    progress: item.progress,
    lastProgress: last && {
      at: formatLocal(new Date(last.at), tz),
      by: last.actor_name,
      text: last.text ?? '',
      percent: last.percent,
    },
    history: events.map((e) => ({
      at: formatLocal(new Date(e.at), tz),
      by: e.actor_name,
      label: EVENT_LABELS[e.kind] ?? e.kind,
      text: e.text ?? '',
    })),
    evidence: evidence.map((e) => ({ kind: e.kind, name: e.name, value: e.value })),
    reviewer:
      item.reviewer_name && item.closed_at
        ? { name: item.reviewer_name, at: formatLocal(new Date(item.closed_at), tz) }
        : undefined,
    pendingExtension: ext && { id: ext.id, newDeadline: ext.new_deadline, reason: ext.reason },
  };
}

export async function viewOf(ctx: BaseContext, item: Rectification): Promise<RectItemView> {
  return loadItemView(ctx.db, item, today(ctx), ctx.settings.timezone);
}

/** Sends the owner's item card privately and remembers it, so later changes update it in place. */
export async function sendItemCard(ctx: BaseContext, item: Rectification, to: { openId: string } | { chatId: string }) {
  const outboxId = await ctx.outbox.send(
    to,
    { type: 'card', card: buildRectItemCard(await viewOf(ctx, item)) },
    { orgId: item.org_id },
  );
  await registerCard(ctx.db, {
    orgId: item.org_id,
    kind: 'rect_item',
    subjectId: item.id,
    outboxId,
    at: ctx.now.toISOString(),
  });
  return outboxId;
}

/** Updates every card showing the item, except the one just clicked (its callback answer does that). */
export async function refreshItemCards(
  ctx: BaseContext,
  item: Rectification,
  clickedMessageId?: string,
): Promise<void> {
  const view = await viewOf(ctx, item);
  for (const kind of ['rect_item', 'rect_review'] as const) {
    for (const c of await listLiveCards(ctx.db, kind, item.id, ctx.now)) {
      const sent = await findOutbox(ctx.db, c.outbox_id);
      if (clickedMessageId && sent?.message_id === clickedMessageId) {
        // The callback answer shows the newest state: an older update still queued must not land after it.
        await supersedePending(ctx.db, `card:${c.id}`, ctx.now.toISOString());
        continue;
      }
      const cardJson = kind === 'rect_item' ? buildRectItemCard(view) : buildRectReviewCard(view);
      await ctx.outbox.patchCard({ outboxId: c.outbox_id }, cardJson, {
        orgId: item.org_id,
        coalesceKey: `card:${c.id}`,
      });
    }
  }
}

async function record(
  ctx: ActingContext,
  before: Rectification | undefined,
  after: Rectification,
  e: { kind: string; percent?: number | null; text?: string | null },
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

function assertOwner(ctx: ActingContext, item: Rectification, what: string): void {
  if (ctx.actor.openId !== item.owner_open_id) {
    throw new UserError('forbidden', `只有责任人（${item.owner_name}）可以${what}。`);
  }
}

function assertReviewer(ctx: ActingContext, item: Rectification): void {
  if (!ctx.actor.role || !(REVIEWER_ROLES as readonly Role[]).includes(ctx.actor.role)) {
    throw new UserError('forbidden', `需要${describeRoles(REVIEWER_ROLES)}权限才能审核销号。`);
  }
  if (ctx.actor.openId === item.owner_open_id) {
    throw new UserError('forbidden', '责任人不能审核自己的整改事项，请由其他纪检委员或书记审核。');
  }
}

/** Marks the permanent late flag when the item is (or was) past its deadline. */
function lateFlag(item: Pick<Rectification, 'late' | 'deadline'>, todayDate: string): number {
  return item.late === 1 || todayDate > item.deadline ? 1 : 0;
}

export async function createItem(
  ctx: ActingContext,
  v: Omit<NewRectification, 'created_by' | 'created_at' | 'updated_at'>,
) {
  const at = ctx.now.toISOString();
  const item = await createRectification(ctx.db, {
    ...v,
    late: lateFlag({ late: 0, deadline: v.deadline }, today(ctx)),
    created_by: ctx.actor.openId,
    created_at: at,
    updated_at: at,
  });
  await record(ctx, undefined, item, { kind: v.import_key ? 'imported' : 'created' });
  await sendItemCard(ctx, item, { openId: item.owner_open_id });
  return item;
}

export async function reportProgress(
  ctx: ActingContext,
  item: Rectification,
  p: { percent: number; text: string; link?: string },
) {
  assertOwner(ctx, item, '报告此事项的进展');
  if (!ownerMayWork(item.status as RectStatus)) {
    throw new UserError('conflict', `事项当前为“${RECT_STATUS_LABELS[item.status as RectStatus]}”，不能报告进展。`);
  }
  if (p.link) await saveEvidence(ctx, item, p.link);
  const status: RectStatus = item.status === 'ongoing' ? 'ongoing' : 'in_progress';
  const after = await updateRectification(ctx.db, item, {
    status,
    progress: Math.max(0, Math.min(100, p.percent)),
    late: lateFlag(item, today(ctx)),
    updated_at: ctx.now.toISOString(),
  });
  await record(ctx, item, after, { kind: 'progress', percent: p.percent, text: clip(p.text, 1000) });
  return after;
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
  e: { kind: 'file' | 'link' | 'text'; value: string; name: string },
) {
  assertOwner(ctx, item, '为此事项补充佐证材料');
  await addEvidence(ctx.db, { item_id: item.id, ...e, added_by: ctx.actor.openId, at: ctx.now.toISOString() });
  const after = await updateRectification(ctx.db, item, { updated_at: ctx.now.toISOString() });
  await record(ctx, item, after, { kind: 'evidence', text: e.name });
  return after;
}

export async function submitForClosing(ctx: ActingContext, item: Rectification, p: { link?: string; note?: string }) {
  assertOwner(ctx, item, '申请销号');
  if (!ownerMayWork(item.status as RectStatus)) {
    throw new UserError('conflict', `事项当前为“${RECT_STATUS_LABELS[item.status as RectStatus]}”，不能申请销号。`);
  }
  if (p.link) await saveEvidence(ctx, item, p.link);
  if ((await listEvidence(ctx.db, item.id)).length === 0) {
    throw new UserError('bad_args', '申请销号需要佐证材料：请填写链接或说明，或先把文件发给清风并附到本事项。');
  }
  const after = await updateRectification(ctx.db, item, {
    status: 'review',
    submitted_at: ctx.now.toISOString(),
    late: lateFlag(item, today(ctx)),
    updated_at: ctx.now.toISOString(),
  });
  await record(ctx, item, after, { kind: 'submit', text: p.note === undefined ? null : clip(p.note, 1000) });
  const view = await viewOf(ctx, after);
  for (const m of await listMembers(ctx.db, item.org_id)) {
    if (!(REVIEWER_ROLES as readonly string[]).includes(m.role) || m.open_id === item.owner_open_id) continue;
    const outboxId = await ctx.outbox.send(
      { openId: m.open_id },
      { type: 'card', card: buildRectReviewCard(view) },
      { orgId: item.org_id },
    );
    await registerCard(ctx.db, {
      orgId: item.org_id,
      kind: 'rect_review',
      subjectId: item.id,
      outboxId,
      at: ctx.now.toISOString(),
    });
  }
  return after;
}

export async function reviewItem(
  ctx: ActingContext,
  item: Rectification,
  decision: 'close' | 'ongoing' | 'return',
  reason?: string,
) {
  assertReviewer(ctx, item);
  if (item.status !== 'review') {
    throw new UserError('conflict', `事项当前为“${RECT_STATUS_LABELS[item.status as RectStatus]}”，不在待审核状态。`);
  }
  const at = ctx.now.toISOString();
  let after: Rectification;
  if (decision === 'return') {
    if (!reason?.trim()) throw new UserError('bad_args', '退回需要填写理由。');
    after = await updateRectification(ctx.db, item, { status: 'returned', updated_at: at });
    await record(ctx, item, after, { kind: 'returned', text: clip(reason.trim(), 500) });
    await ctx.outbox.send(
      { openId: item.owner_open_id },
      textMessage`您的整改事项 #${item.id} 销号申请被退回（${plain(actorName(ctx.actor), 30)}）：${plain(reason, 300)}\n请补充后重新申请销号。`,
      { orgId: item.org_id },
    );
  } else if (decision === 'ongoing') {
    if (item.kind !== 'long_term') throw new UserError('bad_args', '只有长期整改事项可以确认为阶段性完成。');
    after = await updateRectification(ctx.db, item, { status: 'ongoing', updated_at: at });
    await record(ctx, item, after, { kind: 'ongoing' });
    await ctx.outbox.send(
      { openId: item.owner_open_id },
      textMessage`您的长期整改事项 #${item.id} 已确认为阶段性完成，请继续按季度报告进展。`,
      { orgId: item.org_id },
    );
  } else {
    const closedOn = today(ctx);
    after = await updateRectification(ctx.db, item, {
      status: 'closed',
      progress: 100,
      closed_at: at,
      reviewer_open_id: ctx.actor.openId,
      reviewer_name: actorName(ctx.actor),
      late: closedOn > item.deadline ? 1 : item.late,
      updated_at: at,
    });
    await record(ctx, item, after, { kind: 'closed' });
    await ctx.outbox.send(
      { openId: item.owner_open_id },
      textMessage`您的整改事项 #${item.id} 已通过销号审核（审核人：${plain(actorName(ctx.actor), 30)}）。`,
      { orgId: item.org_id },
    );
  }
  return after;
}

export async function requestExtension(ctx: ActingContext, item: Rectification, newDeadline: string, reason: string) {
  const admin =
    ctx.actor.role !== undefined && ['secretary', 'deputy', 'inspector', 'organizer'].includes(ctx.actor.role);
  if (ctx.actor.openId !== item.owner_open_id && !admin) {
    throw new UserError('forbidden', `只有责任人（${item.owner_name}）或组织管理员可以申请延期。`);
  }
  if (item.status === 'closed') throw new UserError('conflict', '事项已销号，不能延期。');
  if (newDeadline <= item.deadline) throw new UserError('bad_args', `延期后的时限应晚于原时限 ${item.deadline}。`);
  if (await findPendingExtension(ctx.db, item.id)) throw new UserError('conflict', '已有一个延期申请在等待审批。');
  if (!reason.trim()) throw new UserError('bad_args', '延期需要填写理由。');
  const req = await createExtensionRequest(ctx.db, {
    item_id: item.id,
    org_id: item.org_id,
    requested_by: ctx.actor.openId,
    old_deadline: item.deadline,
    new_deadline: newDeadline,
    reason: clip(reason.trim(), 500),
    created_at: ctx.now.toISOString(),
  });
  const after = await updateRectification(ctx.db, item, { updated_at: ctx.now.toISOString() });
  await record(ctx, item, after, { kind: 'extend_request', text: `延至 ${newDeadline}：${clip(reason.trim(), 500)}` });
  const cardJson = await extensionCard(ctx, req, item);
  for (const m of await listMembers(ctx.db, item.org_id)) {
    if (!['secretary', 'deputy', 'inspector', 'organizer'].includes(m.role) || m.open_id === ctx.actor.openId) continue;
    const outboxId = await ctx.outbox.send(
      { openId: m.open_id },
      { type: 'card', card: cardJson },
      { orgId: item.org_id },
    );
    await registerCard(ctx.db, {
      orgId: item.org_id,
      kind: 'rect_extension',
      subjectId: req.id,
      outboxId,
      at: ctx.now.toISOString(),
    });
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
    status: req.status as 'pending' | 'approved' | 'refused',
    decidedBy,
  });
}

export async function decideExtension(ctx: ActingContext, request: ExtensionRequest, approve: boolean) {
  // The item first, then the request (the order every path takes), both as now committed.
  const item = await lockItem(ctx, request.item_id);
  const req = (await lockRow(ctx.db, 'extension_requests', request.id)) ?? request;
  if (req.status !== 'pending') throw new UserError('conflict', '这个延期申请已经处理过了。');
  if (req.requested_by === ctx.actor.openId || item.owner_open_id === ctx.actor.openId) {
    throw new UserError('forbidden', '不能审批自己提出或自己负责事项的延期申请，请由其他管理员审批。');
  }
  const at = ctx.now.toISOString();
  await saveDecision(ctx.db, req.id, {
    status: approve ? 'approved' : 'refused',
    by: ctx.actor.openId,
    at,
    note: null,
  });
  // An item already past its old deadline keeps its late mark when the deadline moves.
  const late = lateFlag(item, today(ctx));
  const after = approve
    ? await updateRectification(ctx.db, item, { deadline: req.new_deadline, late, updated_at: at })
    : await updateRectification(ctx.db, item, { late, updated_at: at });
  await record(ctx, item, after, {
    kind: approve ? 'extend_approved' : 'extend_refused',
    text: approve ? `时限由 ${req.old_deadline} 延至 ${req.new_deadline}` : null,
  });
  const message = approve
    ? textMessage`整改事项 #${item.id} 的延期申请已同意：时限延至 ${req.new_deadline}。`
    : textMessage`整改事项 #${item.id} 的延期申请未获同意，请按原时限 ${req.old_deadline} 完成。`;
  for (const openId of new Set([req.requested_by, item.owner_open_id])) {
    await ctx.outbox.send({ openId }, message, { orgId: item.org_id });
  }
  return after;
}

export async function reopenItem(ctx: ActingContext, item: Rectification, reason: string) {
  if (item.status !== 'closed' && item.status !== 'ongoing') {
    throw new UserError(
      'conflict',
      `事项当前为“${RECT_STATUS_LABELS[item.status as RectStatus]}”，只有已销号或阶段性完成的事项可以重新打开。`,
    );
  }
  const after = await updateRectification(ctx.db, item, {
    status: 'in_progress',
    closed_at: null,
    reviewer_open_id: null,
    reviewer_name: null,
    updated_at: ctx.now.toISOString(),
  });
  await record(ctx, item, after, { kind: 'reopen', text: clip(reason.trim(), 500) });
  await ctx.outbox.send(
    { openId: item.owner_open_id },
    textMessage`整改事项 #${item.id} 已被重新打开（${plain(actorName(ctx.actor), 30)}）：${plain(reason, 300)}`,
    { orgId: item.org_id },
  );
  return after;
}

export { daysLate };
