/**
 * What a rectification item's cards show, and keeping them up to date: the item view, the owner's
 * item card sent and remembered, and every card of the item (item and review cards) refreshed
 * through `ctx.cards` after a change.
 */
import type { Kysely } from 'kysely';
import type { BaseContext } from '../../core/contracts.ts';
import type { CardSubject } from '../../core/live-cards.ts';
import type { Database, Rectification } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import { findBatch } from './batch-repository.ts';
import { buildRectItemCard, buildRectReviewCard, type RectItemView } from './item-card.ts';
import {
  deadlineText,
  deadlineTone,
  lateness,
  RECT_EVENT_LABELS,
  RECT_KIND_LABELS,
  RECT_STATUS_LABELS,
} from './model.ts';
import { findPendingExtension, listEvents, listEvidence } from './repository.ts';

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
  const status = item.status;
  const closedOn = item.closed_at ? localDate(new Date(item.closed_at), tz) : null;
  const last = [...events].reverse().find((e) => e.kind === 'progress' || e.kind === 'submit');
  // Past the deadline now, apart from the permanent mark, which an extension does not lift.
  const { overdue, late } = lateness(item, { today: todayDate, closedOn });
  return {
    id: item.id,
    orgId: item.org_id,
    version: item.version,
    status,
    statusLabel: RECT_STATUS_LABELS[status] ?? item.status,
    kind: item.kind,
    kindLabel: RECT_KIND_LABELS[item.kind],
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
    dueTone: deadlineTone(item.deadline, { today: todayDate, closedOn }),
    overdue,
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
      label: RECT_EVENT_LABELS[e.kind] ?? e.kind,
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
  return loadItemView(ctx.db, item, ctx.today, ctx.settings.timezone);
}

/** What the item's cards show (for `ctx.cards`): the owner's item card, or a reviewer's card. */
export const itemSubject = (item: Rectification, kind: 'rect_item' | 'rect_review' = 'rect_item'): CardSubject => ({
  kind,
  id: item.id,
  orgId: item.org_id,
});

/** Sends the owner's item card privately and remembers it, so later changes update it in place. */
export async function sendItemCard(ctx: BaseContext, item: Rectification, to: { openId: string } | { chatId: string }) {
  return ctx.cards.send(itemSubject(item), to, buildRectItemCard(await viewOf(ctx, item)));
}

/**
 * Updates every card showing the item, except the one just clicked (`clickedMessageId`: its
 * callback answer does that).
 */
export async function refreshItemCards(
  ctx: BaseContext,
  item: Rectification,
  clickedMessageId?: string,
): Promise<void> {
  const view = await viewOf(ctx, item);
  await ctx.cards.refresh(itemSubject(item), () => buildRectItemCard(view), { answered: clickedMessageId });
  await ctx.cards.refresh(itemSubject(item, 'rect_review'), () => buildRectReviewCard(view), {
    answered: clickedMessageId,
  });
}
