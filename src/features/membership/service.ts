/**
 * Membership follows the org's group chats. Someone removed from (or leaving) a bound group — the
 * member-deleted event, or the daily reconciliation for events that never arrived — stops being a
 * member at once: the row is marked left (names in history stay), an audit row says who, when and
 * how, and every command and card action then treats them as no member. Their open items stay as
 * they are (history stays); the secretary is told privately which ones need a new owner. They are taken
 * off the sessions whose 签到 has not opened (those that have are records), and those cards redrawn.
 */
import { buildMemberLeftCard } from '../../cards/notice-cards.ts';
import type { BaseContext, EndMembership } from '../../core/contracts.ts';
import { ROLE_LABELS } from '../../core/roles.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { listMembers, markLeft, roleOf } from '../../db/repositories/members.ts';
import { OPEN_TASK_STATUSES, TASK_STATUS_LABELS, type TaskStatus } from '../duties/model.ts';
import { reseatMember } from '../meetings/reseat.ts';
import { OPEN_RECT_STATUSES, RECT_STATUS_LABELS, type RectStatus } from '../rectification/model.ts';

export type { LeaveVia } from '../../core/contracts.ts';

export interface OpenItems {
  rectifications: { id: number; problem: string; status: RectStatus; deadline: string }[];
  tasks: { id: number; content: string; status: TaskStatus; due: string }[];
}

/** A person's open rectification items and responsibility tasks in an org (in every org without one), soonest first. */
export async function openItemsOf(db: BaseContext['db'], openId: string, orgId?: number): Promise<OpenItems> {
  const rectifications = await db
    .selectFrom('rectifications')
    .select(['id', 'problem', 'status', 'deadline'])
    .$if(orgId !== undefined, (q) => q.where('org_id', '=', orgId ?? 0))
    .where('owner_open_id', '=', openId)
    .where('status', 'in', [...OPEN_RECT_STATUSES])
    .orderBy('deadline')
    .orderBy('id')
    .execute();
  const tasks = await db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .select(['tasks.id', 'duty_items.content', 'tasks.status', 'tasks.due_date'])
    .$if(orgId !== undefined, (q) => q.where('tasks.org_id', '=', orgId ?? 0))
    .where('tasks.owner_open_id', '=', openId)
    .where('tasks.status', 'in', [...OPEN_TASK_STATUSES])
    .orderBy('tasks.due_date')
    .orderBy('tasks.id')
    .execute();
  return {
    rectifications,
    tasks: tasks.map((t) => ({ id: t.id, content: t.content, status: t.status, due: t.due_date })),
  };
}

/**
 * Ends `openId`'s membership of `orgId` (in the caller's transaction). Returns false when they were
 * no member (or had already left). The audit row and the secretary's card are written with it.
 */
export const endMembership: EndMembership = async (ctx, o) => {
  const was = await markLeft(ctx.db, o.orgId, o.openId, o.at);
  if (!was) return false;
  // 应到 is not frozen at the notice: who left is no longer invited to what has not opened yet.
  await reseatMember(ctx, o.orgId, o.openId);
  const items = await openItemsOf(ctx.db, o.openId, o.orgId);
  await recordAudit(ctx.db, {
    at: o.at,
    orgId: o.orgId,
    actor: o.actor,
    chatId: o.chatId,
    action: 'member:leave',
    subject: o.openId,
    result: 'ok',
    before: { role: roleOf(was), name: was.name },
    after: {
      left: true,
      via: o.via,
      openRectifications: items.rectifications.map((r) => r.id),
      openTasks: items.tasks.map((t) => t.id),
    },
  });
  const role = roleOf(was);
  const open = items.rectifications.length + items.tasks.length;
  if (open === 0 && (role === 'member' || role === 'observer')) return true;
  // The secretaries; an org without one (its secretary left) tells its other admins.
  const members = await listMembers(ctx.db, o.orgId);
  const secretaries = members.filter((m) => m.role === 'secretary');
  const to = secretaries.length
    ? secretaries
    : members.filter((m) => m.role === 'deputy' || m.role === 'inspector' || m.role === 'organizer');
  const message = {
    type: 'card' as const,
    card: buildMemberLeftCard({
      name: was.name,
      openId: o.openId,
      role: ROLE_LABELS[role],
      via: o.via,
      rectifications: items.rectifications.map((r) => ({
        ...r,
        status: RECT_STATUS_LABELS[r.status],
      })),
      tasks: items.tasks.map((t) => ({ ...t, status: TASK_STATUS_LABELS[t.status] })),
    }),
  };
  for (const m of to) {
    await ctx.outbox.send({ openId: m.open_id }, message, {
      orgId: o.orgId,
      key: `member-left:${o.orgId}:${o.openId}:${o.at}:${m.open_id}`,
    });
  }
  return true;
};
