/**
 * Meetings and study sessions: publishing the notice card to the group, the 参会回执 (参加, or 请假 with
 * a reason), 签到 in its window and an admin's 补正 after it (rules.ts, with the org's own windows),
 * cancelling and moving (everyone who answered is told), minutes and files by the organiser, 学习心得;
 * every card that shows a session is kept up to date (refresh.ts).
 */

import { plain, textMessage } from '../../cards/text.ts';
import type { ActingContext, BaseContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import type { Outgoing } from '../../core/message.ts';
import { isAdminRole } from '../../core/roles.ts';
import { findMember, listMembers, roleOf } from '../../db/repositories/members.ts';
import { listOrgChats } from '../../db/repositories/orgs.ts';
import { lockRow } from '../../db/repositories/versioned.ts';
import type { Member, Session } from '../../db/schema.ts';
import { formatLocal } from '../../domain/time.ts';
import { checkPartyGroup, partyGroupsOf, planAttendees } from './attendance-rules.ts';
import { recordOf } from './calendar.ts';
import {
  agendaFor,
  SECRETARY_HOSTS,
  type SessionCategory,
  type SessionFileKind,
  type SessionKind,
  sessionName,
  sessionWindow,
  windowColumns,
  windowOf,
} from './model.ts';
import { orgWindows, postNotice, refreshSessionCards, timingOf } from './refresh.ts';
import {
  addAttendees,
  addSessionFile,
  answerAttendance,
  createSession,
  findAttendee,
  findSession,
  listAttendees,
  saveReflection,
  correctAttendance as storeCorrection,
  updateSession,
} from './repository.ts';
import * as rules from './rules.ts';
import { MIN_REFLECTION_LENGTH } from './session-card.ts';
import { assertReflectionOpen } from './study-rules.ts';

export {
  orgWindows,
  postNotice,
  postSessionCard,
  postSessionCards,
  reflectionDue,
  refreshSessionCards,
  sessionSubject,
  sessionView,
  timingOf,
  viewOfSession,
} from './refresh.ts';
export { reseatMember } from './reseat.ts';

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

export interface NewSession {
  category: SessionCategory;
  kind: SessionKind;
  title: string;
  startAt: Date;
  place: string;
  agenda: string;
  /**
   * Picked attendees; empty means the kind's default (attendance-rules.ts: the 支部's 党员 for a 党员大会,
   * the 支委 for a 支委会, the 小组 for a 党小组会, else every member but 观察员). For those three the body
   * always attends and a pick only adds 列席.
   */
  attendees: string[];
  /** The 党小组 a 党小组会 is for (required when the org has 小组 registered). */
  partyGroup?: string | null;
  /** The 主持人 picked (an open id of the org's); none: the 书记 for a 党员大会 or 支委会, else not recorded. */
  host?: string | null;
  /** The 记录人 picked; none: whoever records the minutes (`recordMinutes`). */
  recorder?: string | null;
  reflectionDays: number;
  /** Post the notice card now (default); otherwise it is posted a week before (meeting-reminders). */
  notice?: boolean;
}

/**
 * The 主持人 and 记录人 a new session records (open id and name, as the register has them now): the
 * ones picked, who must be the org's members; without a pick the 书记 chairs a 党员大会 or 支委会
 * (`SECRETARY_HOSTS`) and the 记录人 is left to whoever records the minutes.
 */
function keepersOf(n: Pick<NewSession, 'kind' | 'host' | 'recorder'>, members: readonly Member[]) {
  const pick = (openId: string | null | undefined, what: string) => {
    if (!openId) return undefined;
    const m = members.find((x) => x.open_id === openId);
    if (!m) throw new UserError('bad_args', `所选${what}不是本组织的成员，请从名单中选择。`);
    return m;
  };
  const host =
    pick(n.host, '主持人') ??
    (SECRETARY_HOSTS.includes(n.kind) ? members.find((m) => roleOf(m) === 'secretary') : undefined);
  const recorder = pick(n.recorder, '记录人');
  return {
    host_open_id: host?.open_id ?? null,
    host_name: host?.name ?? null,
    recorder_open_id: recorder?.open_id ?? null,
    recorder_name: recorder?.name ?? null,
  };
}

export async function publishSession(ctx: ActingContext, n: NewSession): Promise<Session> {
  const org = ctx.org;
  if (!org) throw new UserError('no_org', '请在组织群聊中使用此命令。');
  const at = ctx.now.toISOString();
  // The 签到 window is kept on the session as the org sets it now: a later change applies to later sessions.
  const window = windowOf(n.kind, await orgWindows(ctx.db, org.id));
  const members = await listMembers(ctx.db, org.id);
  const group = checkPartyGroup(n.kind, n.partyGroup, partyGroupsOf(members));
  if ('problem' in group) throw new UserError('bad_args', group.problem);
  const keepers = keepersOf(n, members);
  const s = await createSession(ctx.db, {
    org_id: org.id,
    category: n.category,
    kind: n.kind,
    title: n.title,
    start_at: n.startAt.toISOString(),
    place: n.place,
    // The kind's agenda unless one was written: a form drawn for another kind leaves that kind's behind.
    agenda: agendaFor(n.kind, n.agenda),
    ...keepers,
    status: 'scheduled',
    organiser_open_id: ctx.actor.openId,
    organiser_name: ctx.actor.name ?? ctx.actor.openId,
    minutes: null,
    minutes_at: null,
    reflection_days: n.reflectionDays,
    ...windowColumns(window),
    party_group: group.group,
    created_at: at,
    updated_at: at,
  });
  const plan = planAttendees(n.kind, members, { picked: n.attendees, partyGroup: group.group, level: org.level });
  await addAttendees(ctx.db, s.id, plan.attendees);
  await ctx.audit({
    action: `${n.category}:create`,
    subject: `session:${s.id}`,
    after: {
      kind: n.kind,
      title: n.title,
      start: s.start_at,
      attendees: plan.attendees.length,
      voting: plan.attendees.filter((a) => a.voting).length,
      ...(group.group ? { partyGroup: group.group } : {}),
      ...(plan.noCommittee ? { noCommittee: true } : {}),
      ...(keepers.host_name ? { host: keepers.host_name } : {}),
      ...(keepers.recorder_name ? { recorder: keepers.recorder_name } : {}),
    },
  });
  if (n.notice !== false) await postNotice(ctx, s);
  return s;
}

/**
 * Where a session's notice goes (refresh.ts `postNotice`): the org's group chat, or privately to each
 * attendee when the org has none.
 */
export async function noticeGoesTo(ctx: BaseContext, s: Session): Promise<'group' | 'attendees'> {
  return (await listOrgChats(ctx.db, s.org_id)).length > 0 ? 'group' : 'attendees';
}

/**
 * The session as committed now, locked for the rest of the transaction (versioned.ts): every change
 * is decided on it, never on a copy read earlier, and concurrent answers are taken one at a time.
 */
async function current(ctx: BaseContext, s: Session): Promise<Session> {
  return (await lockRow(ctx.db, 'sessions', s.id)) ?? s;
}

const assertOpen = rules.assertSessionOpen;

/** The session as the pure rules see it: with its 签到 window (the org's own, or the default). */
async function timing(ctx: BaseContext, s: Session): Promise<rules.SessionTiming> {
  return timingOf(s, await orgWindows(ctx.db, s.org_id));
}

export async function signIn(ctx: ActingContext, given: Session): Promise<Session> {
  const s = await current(ctx, given);
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  const answer = rules.signIn(await timing(ctx, s), a, ctx.now, ctx.settings.timezone);
  await answerAttendance(ctx.db, s.id, ctx.actor.openId, { ...answer, at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'session:sign',
    subject: `session:${s.id}`,
    before: { status: a?.status },
    after: { status: answer.status },
  });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

export async function askLeave(ctx: ActingContext, given: Session, reason: string): Promise<Session> {
  const s = await current(ctx, given);
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  const answer = rules.askLeave(await timing(ctx, s), a, reason, ctx.now, ctx.settings.timezone);
  await answerAttendance(ctx.db, s.id, ctx.actor.openId, { ...answer, at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'session:leave',
    subject: `session:${s.id}`,
    before: { status: a?.status },
    after: { status: answer.status, reason },
  });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

/** One invitee of the session by open id (the 补正 form's pick), or the answer that they are not one. */
export async function attendeeOf(
  ctx: ActingContext,
  s: Session,
  openId: string,
): Promise<{ openId: string; name: string }> {
  const a = await findAttendee(ctx.db, s.id, openId);
  if (!a) throw new UserError('not_found', '此人不在本次活动的参加人员名单中。');
  return { openId: a.open_id, name: a.name };
}

/** The 参会回执 参加 before the start (签到 is still taken in the window). */
export async function confirmAttending(ctx: ActingContext, given: Session): Promise<Session> {
  const s = await current(ctx, given);
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  const answer = rules.confirmAttending(await timing(ctx, s), a, ctx.now, ctx.settings.timezone);
  await answerAttendance(ctx.db, s.id, ctx.actor.openId, { ...answer, at: ctx.now.toISOString() });
  await ctx.audit({
    action: 'session:attend',
    subject: `session:${s.id}`,
    before: { status: a?.status },
    after: { status: answer.status },
  });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}

/**
 * An admin's 补正 of one person's attendance after the 签到 window, with a reason: stored on the row (shown
 * as 补正 on the card and in the 三会一课记录簿) and in the audit history with before and after.
 */
export async function correctAttendance(
  ctx: ActingContext,
  given: Session,
  person: { openId: string; name: string },
  to: rules.CorrectedAttendance,
  reason: string,
): Promise<Session> {
  const s = await current(ctx, given);
  if (!isAdminRole(ctx.actor.role)) throw new UserError('forbidden', '只有组织管理员可以补正出勤情况。');
  const a = await findAttendee(ctx.db, s.id, person.openId);
  const c = rules.correctAttendance(await timing(ctx, s), a, to, reason, ctx.now, ctx.settings.timezone);
  const at = ctx.now.toISOString();
  await storeCorrection(ctx.db, s.id, person.openId, { ...c, at, by: ctx.actor.openId });
  await ctx.audit({
    action: 'session:correct',
    subject: `session:${s.id}`,
    before: { openId: person.openId, status: a?.status, reason: a?.reason ?? null },
    after: { openId: person.openId, status: c.status, reason: c.reason, correction: c.why },
  });
  const after = await updateSession(ctx.db, s, { updated_at: at });
  await refreshSessionCards(ctx, after);
  return after;
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
    textMessage`【取消通知】${sessionName(s.kind, plain(s.title, 60))}（原定 ${formatLocal(new Date(s.start_at), ctx.settings.timezone)}）已取消。${reason ? `原因：${plain(reason, 200)}` : ''}`,
  );
  await refreshSessionCards(ctx, after);
  return after;
}

/**
 * 改期 (rules.ts `planMove`): the session keeps its 签到 window (a row from before gets the one it had,
 * the org's, kept from now on); refused once the old 签到 window has closed or the minutes are recorded;
 * 参加 and 请假 are kept; 签到 given in the old window (it had opened) are set back to 参加, to be given
 * again in the new one. Everyone who had answered is told privately what it means for them (those who
 * had not get the reminders of the new time); the change and the 签到 set back are in the history.
 */
export async function moveSession(
  ctx: ActingContext,
  given: Session,
  startAt: Date,
): Promise<{ session: Session; resetSignIns: number }> {
  const s = await current(ctx, given);
  assertOrganiser(ctx, s, '改期');
  const windows = await orgWindows(ctx.db, s.org_id);
  const tz = ctx.settings.timezone;
  const plan = rules.planMove(timingOf(s, windows), startAt, ctx.now, tz);
  const at = ctx.now.toISOString();
  const attendees = await listAttendees(ctx.db, s.id);
  const reset = plan.resetSignIns ? attendees.filter((a) => a.status === 'signed') : [];
  for (const a of reset) await answerAttendance(ctx.db, s.id, a.open_id, { status: 'attending', reason: null, at });
  const kept =
    s.sign_opens_before === null || s.sign_closes_after === null ? windowColumns(sessionWindow(s, windows)) : {};
  const after = await updateSession(ctx.db, s, { start_at: startAt.toISOString(), ...kept, updated_at: at });
  await ctx.audit({
    action: 'session:move',
    subject: `session:${s.id}`,
    before: { start: s.start_at },
    after: { start: after.start_at, signInsReset: reset.map((a) => a.open_id) },
  });
  const name = sessionName(s.kind, plain(s.title, 60));
  const moved = `${formatLocal(new Date(s.start_at), tz)} 改至 ${formatLocal(startAt, tz)}`;
  const window = rules.signInWindowText(timingOf(after, windows), tz).replace(/。$/, '');
  const wasReset = new Set(reset.map((a) => a.open_id));
  for (const a of attendees) {
    if (a.status === 'invited') continue;
    const message = wasReset.has(a.open_id)
      ? textMessage`【改期通知】${name}由 ${moved}。您在原定时间的签到已作废，现记为“参加”，请在新的时间签到（${window}），如不能参加，请在开始前请假。`
      : a.status === 'leave'
        ? textMessage`【改期通知】${name}由 ${moved}。您已请假（${plain(a.reason ?? '', 60)}），如新的时间可以参加，请在通知卡片上点“参加”。`
        : textMessage`【改期通知】${name}由 ${moved}。您已回复参加，请在新的时间签到（${window}），如不能参加，请在开始前请假。`;
    await ctx.outbox.send({ openId: a.open_id }, message, { orgId: s.org_id });
  }
  await refreshSessionCards(ctx, after);
  return { session: after, resetSignIns: reset.length };
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
  // No 记录人 was chosen: the one who records the minutes is (the 三会一课记录簿 lists them).
  const recorderName = s.recorder_open_id
    ? undefined
    : (ctx.actor.name ?? (await findMember(ctx.db, s.org_id, ctx.actor.openId))?.name);
  const recorder = recorderName ? { recorder_open_id: ctx.actor.openId, recorder_name: recorderName } : {};
  const after = await updateSession(ctx.db, s, {
    minutes: minutes.slice(0, 5000),
    minutes_at: ctx.now.toISOString(),
    ...recorder,
    updated_at: ctx.now.toISOString(),
  });
  await ctx.audit({
    action: 'session:minutes',
    subject: `session:${s.id}`,
    before: { minutes: s.minutes !== null },
    after: {
      minutes: true,
      link: link ?? null,
      ...(recorder.recorder_name ? { recorder: recorder.recorder_name } : {}),
    },
  });
  return after;
}

/** A file (sent to the bot) or link attached to a session: minutes, photos, the sign-in sheet. */
export async function attachSessionFile(
  ctx: ActingContext,
  given: Session,
  f: { kind: SessionFileKind; value: string; name: string },
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
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  // From the start, by one who signed in (study-rules.ts); one who missed a held one is pointed to 补学.
  const windows = await orgWindows(ctx.db, s.org_id);
  const { state } = await recordOf(ctx.db, s, ctx.now, ctx.settings.timezone, ctx.calendar, windows);
  assertReflectionOpen(s, a, ctx.now, ctx.settings.timezone, windows, state);
  const { text: stored, length } = rules.submitReflection(s, a, text, MIN_REFLECTION_LENGTH);
  if (
    !(await saveReflection(ctx.db, {
      sessionId: s.id,
      openId: ctx.actor.openId,
      text: stored,
      link,
      at: ctx.now.toISOString(),
    }))
  ) {
    throw new UserError('conflict', '您已经提交过本次学习的心得了。');
  }
  await ctx.audit({ action: 'study:reflection', subject: `session:${s.id}`, after: { length } });
  return updateSession(ctx.db, s, { updated_at: ctx.now.toISOString() });
}
