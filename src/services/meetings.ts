/**
 * Meetings and study sessions: publishing the notice card to the group, 签到 and 请假 (a reason
 * required), cancelling and moving (everyone who answered is told), minutes and files by the
 * organiser, 学习心得, and keeping every card that shows a session up to date.
 */
import type { Kysely } from 'kysely';
import { buildSessionCard, MIN_REFLECTION_LENGTH, type SessionView } from '../cards/meeting-card.ts';
import { plain, textMessage } from '../cards/text.ts';
import type { BaseContext } from '../core/contracts.ts';
import { UserError } from '../core/errors.ts';
import type { Outgoing } from '../core/message.ts';
import { isAdminRole } from '../core/roles.ts';
import { listLiveCards, registerCard } from '../db/repositories/cards.ts';
import {
  addAttendees,
  addSessionFile,
  answerAttendance,
  createSession,
  findAttendee,
  findSession,
  listAttendees,
  listReflections,
  listSessionFiles,
  saveReflection,
  updateSession,
} from '../db/repositories/meetings.ts';
import { isAway, listMembers, membersByOpenId } from '../db/repositories/members.ts';
import { listOrgChats } from '../db/repositories/orgs.ts';
import { findOutbox, supersedePending } from '../db/repositories/outbox.ts';
import { lockRow } from '../db/repositories/versioned.ts';
import type { Database, Session } from '../db/schema.ts';
import { kindLabel, quorum, VOTING_KINDS } from '../domain/meetings.ts';
import { formatLocal, localDate } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import type { ActingContext } from './rectification.ts';

export async function requireSession(ctx: ActingContext, id: number): Promise<Session> {
  const s = await findSession(ctx.db, id);
  if (!s || !ctx.org || s.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到会议/学习 #${id}。`);
  return s;
}

/**
 * The session locked for the rest of the transaction, as committed now (versioned.ts): 签到, 请假,
 * minutes, cancelling … of many people are taken one after another, none lost, none twice.
 */
export async function lockSession(ctx: ActingContext, id: number): Promise<Session> {
  const s = await lockRow(ctx.db, 'sessions', id);
  if (!s || !ctx.org || s.org_id !== ctx.org.id) throw new UserError('not_found', `没有找到会议/学习 #${id}。`);
  return s;
}

/** The day 学习心得 are due: N working days after the session. */
export function reflectionDue(s: Session, calendar: WorkCalendar, tz: string): string {
  return calendar.addWorkdays(localDate(new Date(s.start_at), tz), s.reflection_days);
}

export async function sessionView(
  db: Kysely<Database>,
  s: Session,
  now: Date,
  tz: string,
  calendar: WorkCalendar,
): Promise<SessionView> {
  const today = localDate(now, tz);
  const [attendees, files, members] = await Promise.all([
    listAttendees(db, s.id),
    listSessionFiles(db, s.id),
    membersByOpenId(db, s.org_id),
  ]);
  const voting = VOTING_KINDS.includes(s.kind)
    ? (() => {
        const v = attendees.filter((a) => a.voting === 1);
        const present = v.filter((a) => a.status === 'signed').length;
        return { total: v.length, present, quorum: quorum(v.length, present) };
      })()
    : undefined;
  let reflections: SessionView['reflections'];
  if (s.category === 'study') {
    const submitted = (await listReflections(db, s.id)).length;
    const expected = attendees.filter((a) => a.status === 'signed').length;
    reflections = { submitted, expected, due: reflectionDue(s, calendar, tz) };
  }
  return {
    id: s.id,
    orgId: s.org_id,
    version: s.version,
    category: s.category === 'study' ? 'study' : 'meeting',
    kind: s.kind,
    kindLabel: kindLabel(s.kind),
    title: s.title,
    startText: formatLocal(new Date(s.start_at), tz),
    started: now.getTime() >= Date.parse(s.start_at),
    cancelled: s.status === 'cancelled',
    place: s.place,
    agenda: s.agenda,
    organiserName: s.organiser_name,
    attendees: attendees.map((a) => ({
      name: a.name,
      status: a.status,
      reason: a.reason,
      away: isAway(members.get(a.open_id), today),
    })),
    voting,
    minutes: s.minutes ?? undefined,
    files: files.map((f) => ({ kind: f.kind, name: f.name })),
    reflections,
  };
}

export function viewOfSession(ctx: BaseContext, s: Session): Promise<SessionView> {
  return sessionView(ctx.db, s, ctx.now, ctx.settings.timezone, ctx.calendar);
}

/** Updates every card showing the session except the one just clicked. */
export async function refreshSessionCards(ctx: BaseContext, s: Session, clickedMessageId?: string): Promise<void> {
  const view = await viewOfSession(ctx, s);
  for (const c of await listLiveCards(ctx.db, 'session', s.id, ctx.now)) {
    const sent = await findOutbox(ctx.db, c.outbox_id);
    if (clickedMessageId && sent?.message_id === clickedMessageId) {
      // The callback answer shows the newest state: an older update still queued must not land after it.
      await supersedePending(ctx.db, `card:${c.id}`, ctx.now.toISOString());
      continue;
    }
    await ctx.outbox.patchCard({ outboxId: c.outbox_id }, buildSessionCard(view), {
      orgId: s.org_id,
      coalesceKey: `card:${c.id}`,
      delayMs: 500,
    });
  }
}

export async function postSessionCard(
  ctx: BaseContext,
  s: Session,
  to: { chatId: string } | { openId: string },
): Promise<number> {
  return (await postSessionCards(ctx, s, [to]))[0] as number;
}

/** The same card to several places: drawn once, sent to each, each registered for later updates. */
export async function postSessionCards(
  ctx: BaseContext,
  s: Session,
  targets: readonly ({ chatId: string } | { openId: string })[],
): Promise<number[]> {
  if (targets.length === 0) return [];
  const card = buildSessionCard(await viewOfSession(ctx, s));
  const ids: number[] = [];
  for (const to of targets) {
    const outboxId = await ctx.outbox.send(to, { type: 'card', card }, { orgId: s.org_id });
    await registerCard(ctx.db, {
      orgId: s.org_id,
      kind: 'session',
      subjectId: s.id,
      outboxId,
      at: ctx.now.toISOString(),
    });
    ids.push(outboxId);
  }
  return ids;
}

export interface NewSession {
  category: 'meeting' | 'study';
  kind: string;
  title: string;
  startAt: Date;
  place: string;
  agenda: string;
  /** Picked attendees; empty means every member of the org (observers excepted). */
  attendees: string[];
  reflectionDays: number;
  /** Post the notice card now (default); otherwise it is posted a week before (meeting-reminders). */
  notice?: boolean;
}

export async function publishSession(ctx: ActingContext, n: NewSession): Promise<Session> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const at = ctx.now.toISOString();
  const s = await createSession(ctx.db, {
    org_id: org.id,
    category: n.category,
    kind: n.kind,
    title: n.title,
    start_at: n.startAt.toISOString(),
    place: n.place,
    agenda: n.agenda,
    status: 'scheduled',
    organiser_open_id: ctx.actor.openId,
    organiser_name: ctx.actor.name ?? ctx.actor.openId,
    minutes: null,
    minutes_at: null,
    reflection_days: n.reflectionDays,
    created_at: at,
    updated_at: at,
  });
  const members = (await listMembers(ctx.db, org.id)).filter((m) => m.role !== 'observer');
  const picked = n.attendees.length > 0 ? members.filter((m) => n.attendees.includes(m.open_id)) : members;
  await addAttendees(
    ctx.db,
    s.id,
    picked.map((m) => ({ openId: m.open_id, name: m.name, voting: m.role !== 'observer' })),
  );
  await ctx.audit({
    action: `${n.category}:create`,
    subject: `session:${s.id}`,
    after: { kind: n.kind, title: n.title, start: s.start_at, attendees: picked.length },
  });
  if (n.notice !== false) await postNotice(ctx, s);
  return s;
}

/** The notice card in the org's group (or privately to each attendee when there is no group). */
export async function postNotice(ctx: BaseContext, s: Session): Promise<void> {
  const chat = (await listOrgChats(ctx.db, s.org_id))[0];
  if (chat) {
    await postSessionCard(ctx, s, { chatId: chat.chatId });
    return;
  }
  await postSessionCards(
    ctx,
    s,
    (await listAttendees(ctx.db, s.id)).map((a) => ({ openId: a.open_id })),
  );
}

/**
 * The session as committed now, locked for the rest of the transaction (versioned.ts): every change
 * is decided on it, never on a copy read earlier, and concurrent answers are taken one at a time.
 */
async function current(ctx: BaseContext, s: Session): Promise<Session> {
  return (await lockRow(ctx.db, 'sessions', s.id)) ?? s;
}

function assertOpen(s: Session): void {
  if (s.status === 'cancelled') throw new UserError('conflict', '本次活动已取消。');
}

async function requireAttendee(ctx: ActingContext, s: Session) {
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  if (!a) throw new UserError('forbidden', '您不在本次活动的参加人员名单中。');
  return a;
}

export async function signIn(ctx: ActingContext, given: Session): Promise<Session> {
  const s = await current(ctx, given);
  assertOpen(s);
  const a = await requireAttendee(ctx, s);
  if (a.status === 'signed') throw new UserError('conflict', '您已经签到了。');
  await answerAttendance(ctx.db, s.id, ctx.actor.openId, { status: 'signed', reason: null, at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'session:sign',
    subject: `session:${s.id}`,
    before: { status: a.status },
    after: { status: 'signed' },
  });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

export async function askLeave(ctx: ActingContext, given: Session, reason: string): Promise<Session> {
  const s = await current(ctx, given);
  assertOpen(s);
  const a = await requireAttendee(ctx, s);
  if (!reason.trim()) throw new UserError('bad_args', '请假需要填写理由。');
  // The same leave sent twice (a double-click on 提交请假) acts once.
  if (a.status === 'leave' && a.reason === reason.trim().slice(0, 200))
    throw new UserError('conflict', '您已经请假了。');
  await answerAttendance(ctx.db, s.id, ctx.actor.openId, {
    status: 'leave',
    reason: reason.trim().slice(0, 200),
    at: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: 'session:leave',
    subject: `session:${s.id}`,
    before: { status: a.status },
    after: { status: 'leave', reason },
  });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

function assertOrganiser(ctx: ActingContext, s: Session, what: string): void {
  if (ctx.actor.openId !== s.organiser_open_id && !isAdminRole(ctx.actor.role)) {
    throw new UserError('forbidden', `只有组织人（${s.organiser_name}）或组织管理员可以${what}。`);
  }
}

/** Tells everyone who signed up or asked leave. */
async function tellAnswered(ctx: ActingContext, s: Session, message: Outgoing): Promise<void> {
  for (const a of await listAttendees(ctx.db, s.id)) {
    if (a.status === 'invited') continue;
    await ctx.outbox.send({ openId: a.open_id }, message, { orgId: s.org_id });
  }
}

export async function cancelSession(ctx: ActingContext, given: Session, reason: string): Promise<Session> {
  const s = await current(ctx, given);
  assertOrganiser(ctx, s, '取消');
  assertOpen(s);
  const after = await updateSession(ctx.db, s, { status: 'cancelled', updated_at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'session:cancel',
    subject: `session:${s.id}`,
    before: { status: s.status },
    after: { status: 'cancelled', reason },
  });
  await tellAnswered(
    ctx,
    s,
    textMessage`【取消通知】${kindLabel(s.kind)}“${plain(s.title, 60)}”（原定 ${formatLocal(new Date(s.start_at), ctx.settings.timezone)}）已取消。${reason ? `原因：${plain(reason, 200)}` : ''}`,
  );
  await refreshSessionCards(ctx, after);
  return after;
}

export async function moveSession(ctx: ActingContext, given: Session, startAt: Date): Promise<Session> {
  const s = await current(ctx, given);
  assertOrganiser(ctx, s, '改期');
  assertOpen(s);
  if (startAt.getTime() <= ctx.now.getTime()) throw new UserError('bad_args', '新的时间应晚于现在。');
  const tz = ctx.settings.timezone;
  // Answers are kept; those who gave one are told and can change it on the card.
  await tellAnswered(
    ctx,
    s,
    textMessage`【改期通知】${kindLabel(s.kind)}“${plain(s.title, 60)}”由 ${formatLocal(new Date(s.start_at), tz)} 改至 ${formatLocal(startAt, tz)}，如有变化请在通知卡片上重新签到或请假。`,
  );
  const after = await updateSession(ctx.db, s, {
    start_at: startAt.toISOString(),
    updated_at: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: 'session:move',
    subject: `session:${s.id}`,
    before: { start: s.start_at },
    after: { start: after.start_at },
  });
  await refreshSessionCards(ctx, after);
  return after;
}

export async function recordMinutes(
  ctx: ActingContext,
  given: Session,
  minutes: string,
  link?: string,
): Promise<Session> {
  const s = await current(ctx, given);
  assertOrganiser(ctx, s, '记录纪要');
  assertOpen(s);
  if (ctx.now.getTime() < Date.parse(s.start_at)) throw new UserError('conflict', '活动开始后才能记录纪要。');
  if (link)
    await addSessionFile(ctx.db, {
      session_id: s.id,
      kind: 'minutes',
      value: link,
      name: link.slice(0, 120),
      added_by: ctx.actor.openId,
      at: ctx.now.toISOString(),
    });
  const after = await updateSession(ctx.db, s, {
    minutes: minutes.slice(0, 5000),
    minutes_at: ctx.now.toISOString(),
    updated_at: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: 'session:minutes',
    subject: `session:${s.id}`,
    before: { minutes: s.minutes !== null },
    after: { minutes: true, link: link ?? null },
  });
  return after;
}

/** A file (sent to the bot) or link attached to a session: minutes, photos, the sign-in sheet. */
export async function attachSessionFile(
  ctx: ActingContext,
  given: Session,
  f: { kind: string; value: string; name: string },
): Promise<Session> {
  const s = await current(ctx, given);
  assertOrganiser(ctx, s, '上传纪要、照片和签到表');
  await addSessionFile(ctx.db, { session_id: s.id, ...f, added_by: ctx.actor.openId, at: ctx.now.toISOString() });
  await ctx.audit({ action: 'session:file', subject: `session:${s.id}`, after: { kind: f.kind, name: f.name } });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

export async function submitReflection(
  ctx: ActingContext,
  given: Session,
  text: string,
  link: string,
): Promise<Session> {
  const s = await current(ctx, given);
  if (s.category !== 'study') throw new UserError('bad_args', '只有学习活动需要提交心得。');
  const a = await requireAttendee(ctx, s);
  if (a.status === 'leave') throw new UserError('conflict', '您本次请假了，不需要提交心得。');
  const length = Array.from(text.trim()).length;
  if (length < MIN_REFLECTION_LENGTH)
    throw new UserError('bad_args', `学习心得不少于 ${MIN_REFLECTION_LENGTH} 字（现在 ${length} 字）。`);
  if (
    !(await saveReflection(ctx.db, {
      sessionId: s.id,
      openId: ctx.actor.openId,
      text: text.trim().slice(0, 5000),
      link,
      at: ctx.now.toISOString(),
    }))
  ) {
    throw new UserError('conflict', '您已经提交过本次学习的心得了。');
  }
  await ctx.audit({ action: 'study:reflection', subject: `session:${s.id}`, after: { length } });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}
