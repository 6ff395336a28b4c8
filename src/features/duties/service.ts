/**
 * Responsibility-list operations: creating items (one task per owner and period), owners reporting
 * progress, 已完成, 遇到困难 (which tells the secretary), assigning more owners, occurrences per
 * period (missed ones stay missed), and keeping task cards and the group board up to date.
 */

import type { Kysely } from 'kysely';
import { clip, plain, textMessage } from '../../cards/text.ts';
import type { Card } from '../../core/card.ts';
import type { ActingContext, BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { CardSubject } from '../../core/live-cards.ts';
import { isAdminRole, type Role } from '../../core/roles.ts';
import { findMember, isAway, listMembers, roleOf } from '../../db/repositories/members.ts';
import { findOrgById } from '../../db/repositories/orgs.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Database, DutyItem, Task } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import { kindLabel, type SessionKind, verbFor } from '../meetings/model.ts';
import { deadlineText } from '../rectification/model.ts';
import { issueTags } from './issue-tags.ts';
import { findLinkedRecord, type LinkedRecord, linkedKindOf } from './linked.ts';
import {
  CADENCE_LABELS,
  type Cadence,
  DUTY_CATEGORIES,
  dueDateOf,
  generatedNote,
  isOpenTask,
  periodOf,
  type ReportedTaskStatus,
  TASK_ACCEPTOR_ROLES,
  TASK_STATUS_LABELS,
} from './model.ts';
import {
  addOwner,
  addTaskEvent,
  addTaskEvidence,
  createDutyItem,
  ensureDutyList,
  ensureTask,
  findDutyItem,
  findTask,
  listOwners,
  listTaskEvents,
  listTaskEvidence,
  listTasksDueIn,
  updateTask,
} from './repository.ts';
import * as rules from './rules.ts';
import { type BoardView, buildBoardCard, buildTaskCard, buildTaskNewCard, type TaskView } from './task-card.ts';

/** The task if it exists in the actor's org (a foreign one looks missing). */
export async function requireTask(ctx: ActingContext, id: number): Promise<Task> {
  const t = await findTask(ctx.db, id);
  if (!t || !ctx.org || t.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到任务 #${id}。`);
  return t;
}

/** The task locked for the rest of the transaction, as committed now (versioned.ts). */
export async function lockTask(ctx: ActingContext, id: number): Promise<Task> {
  const t = await lockRow(ctx.db, 'tasks', id);
  if (!t || !ctx.org || t.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到任务 #${id}。`);
  return t;
}

/**
 * Who reads a task card. The 遇到困难 reason is written for the secretary: it shows only on a private
 * card read by the owner or an admin; a shared (group) card, `undefined` here, says only that a
 * difficulty was reported.
 */
export type TaskReader = { openId: string; role: Role | undefined } | undefined;

const REASON_WITHHELD = '遇到困难，已报告书记';

function mayReadReason(t: Task, reader: TaskReader): boolean {
  return reader !== undefined && (reader.openId === t.owner_open_id || isAdminRole(reader.role));
}

/** The reader of a card sent to a person's private chat; a card in a chat is shared. */
async function readerOf(db: Kysely<Database>, orgId: number, target: { openId: string } | { chatId: string }) {
  if (!('openId' in target)) return undefined;
  const m = await findMember(db, orgId, target.openId);
  return { openId: target.openId, role: m ? roleOf(m) : undefined };
}

export async function taskView(
  db: Kysely<Database>,
  t: Task,
  todayDate: string,
  tz: string,
  reader?: TaskReader,
): Promise<TaskView> {
  const item = (await findDutyItem(db, t.item_id)) as DutyItem;
  const [rawEvents, evidence, owners] = await Promise.all([
    listTaskEvents(db, t.id),
    listTaskEvidence(db, t.id),
    listOwners(db, t.item_id),
  ]);
  const showReason = mayReadReason(t, reader);
  const events = rawEvents.map((e) =>
    e.kind === 'blocked' && e.text && !showReason ? { ...e, text: REASON_WITHHELD } : e,
  );
  const open = isOpenTask(t.status);
  const returned = open ? returnOf(events) : undefined;
  // A return shows as 已退回 (with its reason) above: 最近进展 is the owner's own.
  const last = [...events].reverse().find((e) => e.text && e.kind !== 'missed' && !(returned && e.kind === 'returned'));
  return {
    id: t.id,
    orgId: t.org_id,
    version: t.version,
    itemId: t.item_id,
    content: item.content,
    category: item.category,
    leader: item.leader,
    cadenceLabel: CADENCE_LABELS[item.cadence],
    period: t.period,
    ownerOpenId: t.owner_open_id,
    ownerName: t.owner_name,
    // This task's owner first, then the item's other owners.
    owners: [t.owner_name, ...owners.filter((o) => o.open_id !== t.owner_open_id).map((o) => o.name)],
    dueDate: t.due_date,
    dueText:
      t.status === 'done' || t.status === 'accepted' || t.status === 'submitted'
        ? TASK_STATUS_LABELS[t.status]
        : t.status === 'missed'
          ? '本期未完成'
          : deadlineText(t.due_date, { today: todayDate }),
    overdue: open && todayDate > t.due_date,
    status: t.status,
    statusLabel: TASK_STATUS_LABELS[t.status],
    percent: t.percent,
    evidenceRequired: item.evidence,
    origin: item.generated_by
      ? generatedNote(item.generated_by)
      : (await issueTags(db, [item], todayDate)).get(item.id),
    linked: open ? linkedOf(item) : undefined,
    mayReview:
      t.status === 'submitted' &&
      reader !== undefined &&
      reader.openId !== t.owner_open_id &&
      (TASK_ACCEPTOR_ROLES as readonly (Role | undefined)[]).includes(reader.role),
    othersCopy: reader !== undefined && reader.openId !== t.owner_open_id,
    returned: returned && {
      by: returned.actor_name,
      at: formatLocal(new Date(returned.at), tz),
      reason: (returned.text ?? '').replace(/^退回：/, ''),
    },
    lastProgress: last && { at: formatLocal(new Date(last.at), tz), text: last.text ?? '' },
    evidence: evidence.map((e) => ({ kind: e.kind, name: e.name })),
    history: events
      .filter((e) => e.text)
      .map((e) => ({ at: formatLocal(new Date(e.at), tz), by: e.actor_name, text: e.text ?? '' })),
  };
}

/**
 * The return (验收退回) an open task stands under: the last event, files attached since aside, is the
 * 书记's or 纪检委员's 退回. Any report of the owner's after it (进度, 遇到困难, 已完成) ends it.
 */
function returnOf<E extends { kind: string }>(events: readonly E[]): E | undefined {
  const last = events.findLast((e) => e.kind !== 'evidence');
  return last?.kind === 'returned' ? last : undefined;
}

function linkedOf(item: DutyItem): TaskView['linked'] {
  const kind = linkedKindOf(item);
  return kind && { label: kindLabel(kind), verb: verbFor(kind) };
}

/** The task as `reader` may see it (no reader: a shared card). */
export function viewOfTask(ctx: BaseContext, t: Task, reader?: TaskReader): Promise<TaskView> {
  return taskView(ctx.db, t, ctx.today, ctx.settings.timezone, reader);
}

/** What a task's cards show (for `ctx.cards`). */
export const taskSubject = (t: Task): CardSubject => ({ kind: 'task', id: t.id, orgId: t.org_id });
/** What an org's task boards show. */
export const boardSubject = (orgId: number): CardSubject => ({ kind: 'task_board', id: orgId, orgId });

/** Sends a task card and remembers it; `reader` is who reads it when `to` is a private chat. */
export async function sendTaskCard(
  ctx: BaseContext,
  t: Task,
  to: { openId: string } | { chatId: string },
  reader?: TaskReader,
): Promise<number> {
  const view = await viewOfTask(ctx, t, reader ?? (await readerOf(ctx.db, t.org_id, to)));
  return ctx.cards.send(taskSubject(t), to, buildTaskCard(view));
}

/** Updates the task's other cards and the org's boards (boards coalesced: one PATCH per burst). */
export async function refreshTaskCards(ctx: BaseContext, t: Task, clickedMessageId?: string): Promise<void> {
  const shared = await viewOfTask(ctx, t);
  await ctx.cards.refresh(
    taskSubject(t),
    async (card) => {
      // A card sent to a person is theirs; any other is shared and never shows the 遇到困难 reason.
      const reader = card.to && 'openId' in card.to ? await readerOf(ctx.db, t.org_id, card.to) : undefined;
      return buildTaskCard(reader ? await viewOfTask(ctx, t, reader) : shared);
    },
    { answered: clickedMessageId },
  );
  await refreshBoards(ctx, t.org_id);
}

export async function boardView(db: Kysely<Database>, orgId: number, now: Date, tz: string): Promise<BoardView> {
  const todayDate = localDate(now, tz);
  const year = todayDate.slice(0, 4);
  const org = await findOrgById(db, orgId);
  const tasks = await listTasksDueIn(db, orgId, `${year}-01-01`, `${year}-12-31`);
  const members = await listMembers(db, orgId);
  const owners = new Map<string, BoardView['owners'][number]>();
  for (const t of tasks) {
    const m = members.find((x) => x.open_id === t.owner_open_id);
    const o = owners.get(t.owner_open_id) ?? {
      name: t.owner_name,
      notStarted: 0,
      inProgress: 0,
      blocked: 0,
      review: 0,
      accepted: 0,
      done: 0,
      overdue: 0,
      away: isAway(m, todayDate),
    };
    if (t.status === 'not_started') o.notStarted++;
    if (t.status === 'in_progress') o.inProgress++;
    if (t.status === 'blocked') o.blocked++;
    if (t.status === 'submitted') o.review++;
    if (t.status === 'accepted') o.accepted++;
    if (t.status === 'done') o.done++;
    if (isOpenTask(t.status) && t.due_date < todayDate) o.overdue++;
    owners.set(t.owner_open_id, o);
  }
  return { orgName: org?.name ?? '', asOf: formatLocal(now, tz), owners: [...owners.values()] };
}

export async function refreshBoards(ctx: BaseContext, orgId: number): Promise<void> {
  let board: Card | undefined;
  await ctx.cards.refresh(
    boardSubject(orgId),
    async () => {
      board ??= buildBoardCard(await boardView(ctx.db, orgId, ctx.now, ctx.settings.timezone));
      return board;
    },
    { latest: 3, keyPrefix: 'board', delayMs: 1500 },
  );
}

/** Creates this period's task for every owner of an item (and, for one-off items, the only one). */
export async function ensureOccurrences(ctx: BaseContext, item: DutyItem, todayDate: string): Promise<Task[]> {
  const cadence = item.cadence;
  const period =
    cadence === 'once' ? { key: 'once', start: '', end: item.due_date ?? todayDate } : periodOf(cadence, todayDate);
  const due = cadence === 'once' ? (item.due_date ?? todayDate) : dueDateOf(period, item.due_day);
  const created: Task[] = [];
  for (const o of await listOwners(ctx.db, item.id)) {
    const r = await ensureTask(ctx.db, {
      orgId: item.org_id,
      itemId: item.id,
      ownerOpenId: o.open_id,
      ownerName: o.name,
      period: period.key,
      dueDate: due,
      at: ctx.now.toISOString(),
    });
    if (r.created) created.push(r.task);
  }
  return created;
}

export interface NewDuty {
  content: string;
  category: string;
  leader: string;
  cadence: Cadence;
  dueDate: string | null;
  dueDay: number | null;
  evidence: string;
  owners: { openId: string; name: string }[];
  importKey?: string | null;
  /**
   * Set when 清风 generates the item by itself (the job's name): it stays outside the formal 主体责任清单
   * (no 序号, not in /清单, the 台账, the board or the 季季报), its owners still get and report on its tasks.
   */
  generatedBy?: string;
}

export async function createDuty(ctx: ActingContext, d: NewDuty): Promise<{ item: DutyItem; tasks: Task[] }> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const at = ctx.now.toISOString();
  const year = Number((d.dueDate ?? ctx.today).slice(0, 4));
  const list = await ensureDutyList(ctx.db, org.id, year, at);
  const item = await createDutyItem(ctx.db, {
    list_id: list.id,
    org_id: org.id,
    category: d.category,
    content: d.content,
    leader: d.leader,
    cadence: d.cadence,
    due_date: d.dueDate,
    due_day: d.dueDay,
    evidence: d.evidence,
    import_key: d.importKey ?? null,
    generated_by: d.generatedBy ?? null,
    created_by: ctx.actor.openId,
    created_at: at,
    updated_at: at,
  });
  for (const o of d.owners) await addOwner(ctx.db, item.id, o);
  const tasks = await ensureOccurrences(ctx, item, ctx.today);
  for (const t of tasks) await sendTaskCard(ctx, t, { openId: t.owner_open_id });
  await ctx.audit({
    action: 'duty:create',
    subject: `duty:${item.id}`,
    after: {
      content: d.content,
      cadence: d.cadence,
      owners: d.owners.map((o) => o.openId),
      due: d.dueDate,
      ...(d.generatedBy ? { generatedBy: d.generatedBy } : {}),
    },
  });
  await refreshBoards(ctx, org.id);
  return { item, tasks };
}

export async function assignOwner(
  ctx: ActingContext,
  item: DutyItem,
  owner: { openId: string; name: string },
): Promise<Task[]> {
  if (!(await addOwner(ctx.db, item.id, owner)))
    throw new UserError('conflict', `${owner.name}已经是这项任务的责任人。`);
  const tasks = await ensureOccurrences(ctx, item, ctx.today);
  for (const t of tasks) await sendTaskCard(ctx, t, { openId: t.owner_open_id });
  await ctx.audit({ action: 'duty:assign', subject: `duty:${item.id}`, after: { owner: owner.openId } });
  await refreshBoards(ctx, item.org_id);
  return tasks;
}

/** Who changes a task: a person, or 清风 itself (a linked record found by the occurrence job). */
type Changer = Pick<ActingContext['actor'], 'openId' | 'name'>;

/** 清风 as the actor of what it does by itself. */
export const SYSTEM_ACTOR: Changer = { openId: 'system', name: '清风' };

/** Writes the change on the task as read (compare-and-set on its version), its history and audit rows. */
async function change(
  ctx: BaseContext,
  actor: Changer,
  t: Task,
  patch: rules.TaskUpdate,
  event: rules.TaskHistoryEntry,
): Promise<Task> {
  const after = await updateTask(ctx.db, t, { ...patch, updated_at: ctx.now.toISOString() });
  await addTaskEvent(ctx.db, {
    task_id: t.id,
    at: ctx.now.toISOString(),
    actor_open_id: actor.openId,
    actor_name: actor.name ?? actor.openId,
    kind: event.kind,
    status: after.status,
    percent: after.percent,
    text: event.text ?? null,
  });
  await ctx.audit({
    action: `task:${event.kind}`,
    subject: `task:${t.id}`,
    before: { status: t.status, percent: t.percent },
    after: { status: after.status, percent: after.percent },
  });
  return after;
}

export async function reportTask(
  ctx: ActingContext,
  t: Task,
  r: { status: ReportedTaskStatus; percent: number; text: string; link?: string },
): Promise<Task> {
  const item = (await findDutyItem(ctx.db, t.item_id)) as DutyItem;
  const required = item.evidence.trim();
  const evidence = required || r.status === 'done' ? await listTaskEvidence(ctx.db, t.id) : [];
  // An item naming a meeting to hold is evidenced by a held one of the period (linked.ts): on 已完成,
  // the first such meeting is linked now if it is not yet.
  const kind = r.status === 'done' ? linkedKindOf(item) : undefined;
  let found: LinkedRecord | undefined;
  let linked: rules.TaskEvidenceState['linked'];
  if (kind) {
    const records = evidence.filter((e) => e.kind === 'record').length;
    let why = '';
    if (records === 0) {
      const lookup = await findLinkedRecord(ctx.db, lookupOf(ctx, t, item, kind));
      if (lookup.found) found = lookup.found;
      else why = lookup.why;
    }
    linked = { label: kindLabel(kind), verb: verbFor(kind), records: records + (found ? 1 : 0), why };
  }
  const decided = rules.reportTask(
    t,
    ctx.actor,
    r,
    { at: ctx.now.toISOString(), today: ctx.today },
    { required: item.evidence, attached: required ? evidence.length : 0, linked },
  );
  if (found) await addRecordEvidence(ctx, t, found, ctx.actor.openId);
  if (r.link) {
    const isLink = /^https?:\/\/\S+$/i.test(r.link);
    await addTaskEvidence(ctx.db, {
      task_id: t.id,
      kind: isLink ? 'link' : 'text',
      value: r.link,
      name: clip(r.link, 120),
      added_by: ctx.actor.openId,
      at: ctx.now.toISOString(),
    });
  }
  const after = await change(ctx, ctx.actor, t, decided.update, decided.history);
  await notify(ctx, after, decided.notices);
  return after;
}

function lookupOf(ctx: BaseContext, t: Task, item: DutyItem, kind: SessionKind) {
  return {
    orgId: t.org_id,
    kind,
    cadence: item.cadence,
    dueDate: t.due_date,
    requirement: item.evidence,
    now: ctx.now,
    tz: ctx.settings.timezone,
    calendar: ctx.calendar,
  };
}

async function addRecordEvidence(ctx: BaseContext, t: Task, r: LinkedRecord, by: string): Promise<void> {
  await addTaskEvidence(ctx.db, {
    task_id: t.id,
    kind: 'record',
    value: `session:${r.sessionId}`,
    name: r.name,
    added_by: by,
    at: ctx.now.toISOString(),
  });
}

/** What linking a held meeting to an open task did. */
export type LinkOutcome =
  | { linked: Task }
  | {
      linked?: undefined;
      /** Not to be marked 未完成 yet: a held meeting waits for its minutes, or may still be held (linked.ts). */
      holdOpen: boolean;
    };

/**
 * The occurrence job's check of an open task whose item names a meeting (linked.ts): a held meeting of
 * its period completes it — attached as 关联记录, then 待验收 (the acceptors are sent the task) or
 * 已完成. Decided on the task locked as it is now, its version compared and set.
 */
export async function linkHeldRecord(ctx: BaseContext, t: Task, item: DutyItem): Promise<LinkOutcome> {
  const kind = linkedKindOf(item);
  if (!kind || !isOpenTask(t.status)) return { holdOpen: false };
  const lookup = await findLinkedRecord(ctx.db, lookupOf(ctx, t, item, kind));
  if (!lookup.found) return { holdOpen: lookup.holdOpen };
  const current = await lockRow(ctx.db, 'tasks', t.id);
  const decided =
    current && rules.completeByRecord(current, lookup.found, { at: ctx.now.toISOString() }, item.evidence);
  if (!current || !decided) return { holdOpen: false };
  const records = (await listTaskEvidence(ctx.db, t.id)).filter((e) => e.kind === 'record');
  if (!records.some((e) => e.value === `session:${lookup.found.sessionId}`))
    await addRecordEvidence(ctx, current, lookup.found, SYSTEM_ACTOR.openId);
  const after = await change(ctx, SYSTEM_ACTOR, current, decided.update, decided.history);
  await notify(ctx, after, decided.notices);
  await refreshTaskCards(ctx, after);
  return { linked: after };
}

/**
 * The owner attaches a file sent to the bot (the attach form, src/services/incoming-file.ts) as the
 * task's evidence; it counts for 已完成 like a link or a text.
 */
export async function attachTaskFile(
  ctx: ActingContext,
  t: Task,
  file: { kind: 'file'; value: string; name: string },
): Promise<Task> {
  const decided = rules.attachTaskEvidence(t, ctx.actor, file);
  await addTaskEvidence(ctx.db, {
    task_id: t.id,
    kind: file.kind,
    value: file.value,
    name: clip(file.name, 120),
    added_by: ctx.actor.openId,
    at: ctx.now.toISOString(),
  });
  return change(ctx, ctx.actor, t, decided.update, decided.history);
}

/** The 书记 or 纪检委员 accepts a task 待验收, or returns it to its owner with a reason. */
export async function reviewTask(
  ctx: ActingContext,
  t: Task,
  d: { decision: rules.TaskReviewDecision; reason?: string },
): Promise<Task> {
  const decided = rules.reviewTask(t, ctx.actor, d);
  const after = await change(ctx, ctx.actor, t, decided.update, decided.history);
  await notify(ctx, after, decided.notices);
  return after;
}

async function notify(ctx: BaseContext, t: Task, notices: readonly rules.TaskNotice[]): Promise<void> {
  for (const n of notices) {
    if (n.kind === 'blocked') await tellSecretaries(ctx, t, n);
    else if (n.kind === 'review') {
      for (const m of await listMembers(ctx.db, t.org_id)) {
        if (!(n.roles as readonly string[]).includes(m.role) || m.open_id === n.except) continue;
        await sendTaskCard(ctx, t, { openId: m.open_id });
      }
    } else {
      const item = (await findDutyItem(ctx.db, t.item_id)) as DutyItem;
      await ctx.outbox.send(
        { openId: n.to },
        textMessage`【验收退回】${plain(n.by, 20)}退回了“${plain(item.content, 60)}”（任务 #${t.id}）：${plain(n.reason, 300)}。请补充后重新报告完成。`,
        { orgId: t.org_id },
      );
    }
  }
}

export async function markTaskDone(ctx: ActingContext, t: Task): Promise<Task> {
  return reportTask(ctx, t, { status: 'done', percent: 100, text: '已完成' });
}

async function tellSecretaries(ctx: BaseContext, t: Task, n: rules.TaskBlockedNotice): Promise<void> {
  const item = (await findDutyItem(ctx.db, t.item_id)) as DutyItem;
  const reason = n.reason;
  for (const m of await listMembers(ctx.db, t.org_id)) {
    if (!(n.roles as readonly string[]).includes(m.role) || m.open_id === n.except) continue;
    await ctx.outbox.send(
      { openId: m.open_id },
      textMessage`【遇到困难】${plain(t.owner_name, 20)}在落实“${plain(item.content, 60)}”（任务 #${t.id}）时遇到困难：${plain(reason, 300)}`,
      { orgId: t.org_id },
    );
  }
}

/** The new-task form (drawn again with `error`, or pre-filled with `content`), with the org's members as owners. */
export async function newTaskCard(
  db: Kysely<Database>,
  orgId: number,
  o: { error?: string; content?: string } = {},
): Promise<Card> {
  const memberOpenIds = (await listMembers(db, orgId)).map((m) => m.open_id);
  return buildTaskNewCard({ orgId, memberOpenIds, categories: DUTY_CATEGORIES, ...o });
}
