/**
 * The roll-up's shell: the rows of an upper org's card, one 支部's lists (查看), and the 督办 — each
 * click checked against the hierarchy (features/hierarchy/access.ts: only an admin of an org above the
 * 支部; a 支部's own admins are refused even when they sit in the 党委's group).
 */
import type { Kysely } from 'kysely';
import { plain } from '../../cards/text.ts';
import type { ActionAnswer } from '../../core/card.ts';
import type { ActionContext, BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { claimReminder } from '../../db/repositories/claims.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { findOrgById, orgSettings } from '../../db/repositories/orgs.ts';
import type { Database, Org } from '../../db/schema.ts';
import { daysBetween } from '../../domain/time.ts';
import { urgentSettingsOf } from '../../services/ladder.ts';
import { OPEN_TASK_STATUSES } from '../duties/model.ts';
import { requireAdminAbove } from '../hierarchy/access.ts';
import { OPEN_RECT_STATUSES } from '../rectification/model.ts';
import { computeFacts, lowerOrgs, type RollupInput } from './compute.ts';
import { buildDetailCard, buildPressCard, type DetailView } from './detail-card.ts';
import { type BranchRow, branchRow, monthlyTrend, periodWords, sortRows } from './rules.ts';

export type { RollupInput } from './compute.ts';

export const inputOf = (ctx: Pick<BaseContext, 'now' | 'today' | 'settings' | 'calendar'>): RollupInput => ({
  now: ctx.now,
  today: ctx.today,
  tz: ctx.settings.timezone,
  calendar: ctx.calendar,
});

/** The rows (sorted, red first) and the monthly trend of an upper org's roll-up. */
export async function rollupRows(
  db: Kysely<Database>,
  upper: Pick<Org, 'id'>,
  i: RollupInput,
): Promise<{ rows: BranchRow[]; trend: ReturnType<typeof monthlyTrend> }> {
  const { facts, cycles } = await computeFacts(db, await lowerOrgs(db, upper), i);
  return { rows: sortRows(facts.map(branchRow)), trend: monthlyTrend(cycles, i.today) };
}

/**
 * One 支部's lists: its row, the cycles it missed, its overdue rectifications and tasks (most late
 * first), and the items 下发 to it from above that are not finished (in its list's order).
 */
export async function branchDetail(
  db: Kysely<Database>,
  branch: Org,
  i: RollupInput,
): Promise<Omit<DetailView, 'upperOrgId' | 'upperName'>> {
  const { facts } = await computeFacts(db, [branch], i);
  const f = facts[0];
  if (!f) throw new UserError('not_found', '找不到这个组织。');
  const missed = new Map<string, string[]>();
  for (const c of f.cycles) if (!c.met) missed.set(c.name, [...(missed.get(c.name) ?? []), periodWords(c.period)]);
  const rects = await db
    .selectFrom('rectifications')
    .select(['id', 'problem', 'owner_name', 'deadline'])
    .where('org_id', '=', branch.id)
    .where('status', 'in', [...OPEN_RECT_STATUSES])
    .where('deadline', '<', i.today)
    .orderBy('deadline')
    .orderBy('id')
    .execute();
  const tasks = await db
    .selectFrom('tasks')
    .innerJoin('duty_items', 'duty_items.id', 'tasks.item_id')
    .select(['tasks.id', 'duty_items.content', 'tasks.owner_name', 'tasks.due_date'])
    .where('tasks.org_id', '=', branch.id)
    .where('tasks.status', 'in', [...OPEN_TASK_STATUSES])
    .where('tasks.due_date', '<', i.today)
    .orderBy('tasks.due_date')
    .orderBy('tasks.id')
    .execute();
  return {
    row: branchRow(f),
    issued: {
      total: f.issued.length,
      open: f.issued.filter((c) => !c.finished).map((c) => ({ seq: c.seq, title: c.title, status: c.status })),
    },
    missed: [...missed].map(([name, periods]) => ({ name, periods })),
    rects: rects.map((r) => ({
      label: `整改 #${r.id}`,
      title: r.problem,
      owner: r.owner_name,
      deadline: r.deadline,
      daysLate: daysBetween(r.deadline, i.today),
    })),
    tasks: tasks.map((t) => ({
      label: `任务 #${t.id}`,
      title: t.content,
      owner: t.owner_name,
      deadline: t.due_date,
      daysLate: daysBetween(t.due_date, i.today),
    })),
  };
}

/** The 支部 a button names, and the upper org the actor may see it from (refused otherwise). */
async function branchFor(ctx: ActionContext<'required'>, branchId: number): Promise<{ branch: Org; upper: Org }> {
  const branch = await findOrgById(ctx.db, branchId);
  if (!branch) throw new UserError('not_found', '找不到这个组织，它可能已不在本组织之下。');
  const upper = await requireAdminAbove(ctx.db, branch, ctx.actor.openId, ctx.actor.isBotAdmin);
  return { branch, upper };
}

/** 查看: the 支部's lists, to the clicker's private chat (a group card stays as it is). */
export async function viewBranch(ctx: ActionContext<'required'>, branchId: number): Promise<ActionAnswer> {
  const { branch, upper } = await branchFor(ctx, branchId);
  const detail = await branchDetail(ctx.db, branch, inputOf(ctx));
  const card = buildDetailCard({ ...detail, upperOrgId: upper.id, upperName: upper.name });
  // From a group card the router sends it privately; in the private chat it comes as a new message, so
  // the overview it was opened from stays.
  if (ctx.chat?.type === 'group') return { personal: card };
  await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: upper.id });
  return { toast: { type: 'info', content: `已发送「${plain(branch.name, 60)}」的情况。` } };
}

/** The job and subject of the 督办 claim: one per 支部 per day. */
export const PRESS_CLAIM = 'overview-press';

/**
 * 督办: the 支部's 书记 gets its lists privately with a 加急 (in-app; SMS and phone only when the 支部
 * enabled them, `/设置`), once per 支部 per day, audited. A green 支部, or one without a 书记, is refused.
 */
export async function pressBranch(ctx: ActionContext<'required'>, branchId: number): Promise<ActionAnswer> {
  const { branch, upper } = await branchFor(ctx, branchId);
  const detail = await branchDetail(ctx.db, branch, inputOf(ctx));
  const name = plain(branch.name, 60);
  if (detail.row.colour === 'green') throw new UserError('conflict', `「${name}」目前为绿色，没有需要督办的事项。`);
  const secretaries = (await listMembers(ctx.db, branch.id)).filter((m) => m.role === 'secretary');
  if (secretaries.length === 0)
    throw new UserError('conflict', `「${name}」还没有书记，无法督办。请先由该支部设置书记。`);
  const claimed = await claimReminder(
    ctx.db,
    { job: PRESS_CLAIM, subject: `org:${branch.id}`, occurrence: ctx.today },
    branch.id,
    ctx.now.toISOString(),
  );
  if (!claimed) return { toast: { type: 'info', content: `今天已督办过「${name}」，明天可再次督办。` } };
  const urgent = urgentSettingsOf(orgSettings(branch));
  const card = buildPressCard({ ...detail, upperName: upper.name });
  for (const s of secretaries) {
    const opts = { orgId: branch.id };
    const id = await ctx.outbox.send({ openId: s.open_id }, { type: 'card', card }, opts);
    await ctx.outbox.urgent({ outboxId: id }, 'app', [s.open_id], opts);
    if (urgent.sms) await ctx.outbox.urgent({ outboxId: id }, 'sms', [s.open_id], opts);
    if (urgent.phone) await ctx.outbox.urgent({ outboxId: id }, 'phone', [s.open_id], opts);
  }
  await ctx.audit({
    action: 'overview:press',
    subject: `org:${branch.id}`,
    after: {
      upper: upper.id,
      to: secretaries.map((s) => s.open_id),
      missed: detail.row.missed,
      rects: detail.rects.length,
      tasks: detail.tasks.length,
      issuedOpen: detail.issued?.open.length ?? 0,
      urgent: ['app', ...(urgent.sms ? ['sms'] : []), ...(urgent.phone ? ['phone'] : [])],
    },
  });
  return { toast: { type: 'success', content: `已向「${name}」书记发送督办并加急提醒。` } };
}
