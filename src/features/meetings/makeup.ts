/**
 * 补学 (issue 13 item 4): a member who missed a study session — 缺席, or 请假 (asked, or away that day) —
 * may, once its 签到 window has closed and only if it was held (held.ts; not one nobody signed in to), take the material privately (`/学习 补学 N`, or the 补学 button
 * on their private list) and hand in a 心得 recorded as 补学. The session's cards, the half-year 通报
 * and the 学习考勤 show it as 补学, never as having attended. The rules are in study-rules.ts.
 */

import type { ActingContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import type { Org, Session, SessionAttendee } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import { recordOf } from './calendar.ts';
import type { MakeupView } from './makeup-card.ts';
import { sessionHeading } from './model.ts';
import { orgWindows, refreshSessionCards } from './refresh.ts';
import {
  findAttendee,
  findReflection,
  listSessionFiles,
  listSessions,
  saveReflection,
  updateSession,
} from './repository.ts';
import { lockSession, requireSession } from './service.ts';
import { MIN_REFLECTION_LENGTH } from './session-card.ts';
import { assertMakeupOpen, makeupText, studyState } from './study-rules.ts';

/** How far back the 补学 list looks. */
const LIST_DAYS = 366;

/** 缺席 or 请假: how the member missed `s` (away that day counts as 请假). */
async function missedAs(ctx: ActingContext, s: Session, a: SessionAttendee): Promise<string> {
  const member = (await membersByOpenId(ctx.db, s.org_id)).get(a.open_id);
  const away = isAway(member, localDate(new Date(s.start_at), ctx.settings.timezone));
  return studyState(a.status, away, true) === 'leave' ? '请假' : '缺席';
}

async function viewOf(
  ctx: ActingContext,
  s: Session,
  a: SessionAttendee,
  done?: MakeupView['done'],
): Promise<MakeupView> {
  const tz = ctx.settings.timezone;
  const files = await listSessionFiles(ctx.db, s.id);
  return {
    id: s.id,
    orgId: s.org_id,
    heading: sessionHeading(s.kind, s.title),
    startText: formatLocal(new Date(s.start_at), tz),
    organiserName: s.organiser_name,
    missed: await missedAs(ctx, s, a),
    agenda: s.agenda,
    minutes: s.minutes ?? undefined,
    links: files.filter((f) => f.kind === 'minutes').map((f) => ({ name: f.name, url: f.value })),
    files: files.filter((f) => f.kind === 'file').map((f) => f.name),
    ...(done ? { done } : {}),
  };
}

/** Everything 补学 is decided on, read now: the attendee's row and any 心得 of theirs; refused unless open. */
async function checked(ctx: ActingContext, s: Session): Promise<SessionAttendee> {
  const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
  const existing = await findReflection(ctx.db, s.id, ctx.actor.openId);
  const windows = await orgWindows(ctx.db, s.org_id);
  const tz = ctx.settings.timezone;
  const { state } = await recordOf(ctx.db, s, ctx.now, tz, ctx.calendar, windows);
  assertMakeupOpen(s, a, existing, ctx.now, tz, windows, state);
  if (!a) throw new UserError('forbidden', '您不在本次学习的参加人员名单中。');
  return a;
}

/** The 补学 card's content for the actor and session `id`: refused (with why) when they may not 补学 it. */
export async function openMakeup(ctx: ActingContext, id: number): Promise<MakeupView> {
  const s = await requireSession(ctx, id);
  return viewOf(ctx, s, await checked(ctx, s));
}

/**
 * Records the actor's 补学 心得 for session `id`: decided on the session locked and read now, the 心得
 * stored once (its unique key), the session's version compare-and-set, its cards refreshed (they show
 * 补学 apart from attendance). Returns the 补学 card's content as recorded.
 */
export async function submitMakeup(
  ctx: ActingContext,
  id: number,
  text: string,
  link: string,
): Promise<{ session: Session; view: MakeupView }> {
  const s = await lockSession(ctx, id);
  const a = await checked(ctx, s);
  const { text: stored, length } = makeupText(text, MIN_REFLECTION_LENGTH);
  const at = ctx.now.toISOString();
  const saved = await saveReflection(ctx.db, {
    sessionId: s.id,
    openId: ctx.actor.openId,
    text: stored,
    link: link.slice(0, 500),
    at,
    makeup: true,
  });
  if (!saved) throw new UserError('conflict', '您已经完成本次学习的补学。');
  const view = await viewOf(ctx, s, a, { at: formatLocal(ctx.now, ctx.settings.timezone), length });
  await ctx.audit({ action: 'study:makeup', subject: `session:${s.id}`, after: { length, missed: view.missed } });
  const after = await updateSession(ctx.db, s, { updated_at: at });
  await refreshSessionCards(ctx, after);
  return { session: after, view };
}

/**
 * The study sessions of the last year the actor missed and has not made up, newest first: held ones only
 * (held.ts: settled, and someone signed in), so a session nobody attended is never offered.
 */
export async function missedSessions(
  ctx: ActingContext,
  org: Org,
): Promise<{ id: number; heading: string; when: string; missed: string }[]> {
  const tz = ctx.settings.timezone;
  const windows = await orgWindows(ctx.db, org.id);
  const sessions = await listSessions(ctx.db, org.id, {
    category: 'study',
    from: new Date(ctx.now.getTime() - LIST_DAYS * 86_400_000).toISOString(),
    to: ctx.now.toISOString(),
  });
  const rows: { id: number; heading: string; when: string; missed: string }[] = [];
  for (const s of sessions.reverse()) {
    const a = await findAttendee(ctx.db, s.id, ctx.actor.openId);
    if (!a || a.status === 'signed') continue;
    if ((await recordOf(ctx.db, s, ctx.now, tz, ctx.calendar, windows)).state !== 'held') continue;
    if (await findReflection(ctx.db, s.id, ctx.actor.openId)) continue;
    rows.push({
      id: s.id,
      heading: sessionHeading(s.kind, s.title),
      when: formatLocal(new Date(s.start_at), tz),
      missed: await missedAs(ctx, s, a),
    });
  }
  return rows;
}
