/**
 * What a session's cards show, and keeping them up to date: the session view, the notice card sent
 * to the group (or to each attendee) and remembered, and every card of the session refreshed through
 * `ctx.cards` after a change.
 */
import type { Kysely } from 'kysely';
import type { Card } from '../../core/card.ts';
import type { BaseContext, ChatRef } from '../../core/contracts.ts';
import type { CardSubject } from '../../core/live-cards.ts';
import type { Recipient } from '../../core/message.ts';
import { CARD_UPDATE_WINDOW_MS, listLiveCards } from '../../db/repositories/cards.ts';
import { type ClaimKey, claimKeyString, claimReminder } from '../../db/repositories/claims.ts';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import { findOrgById, isGroupChat, listOrgChats, orgSettings } from '../../db/repositories/orgs.ts';
import type { Database, Session } from '../../db/schema.ts';
import { formatLocal, localDate } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { centralGroupOfLeaders } from './attendance-rules.ts';
import { recordStateText, recordStatusLabel, sessionRecordState } from './held.ts';
import {
  type AttendanceWindows,
  attendancePhase,
  attendanceWindowsOf,
  kindLabel,
  sessionHeading,
  sessionWindow,
} from './model.ts';
import { listAttendees, listReflections, listScheduledBetween, listSessionFiles } from './repository.ts';
import { type SessionTiming, signInWindowText } from './rules.ts';
import { buildSessionCard, type SessionView } from './session-card.ts';
import { reflectionCounts } from './study-rules.ts';

/** The org's own 签到 windows (`/设置 签到窗口`); kinds it did not set keep the defaults. */
export async function orgWindows(db: Kysely<Database>, orgId: number): Promise<AttendanceWindows> {
  const org = await findOrgById(db, orgId);
  return org ? attendanceWindowsOf(orgSettings(org)) : {};
}

/**
 * What the pure attendance rules decide on: the session with its 签到 window — its own, kept when it was
 * created (model.ts `sessionWindow`); on a row from before, the org's (`windows`) or the default.
 */
export function timingOf(s: Session, windows: AttendanceWindows): SessionTiming {
  return {
    status: s.status,
    kind: s.kind,
    start_at: s.start_at,
    minutes_at: s.minutes_at,
    window: sessionWindow(s, windows),
  };
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
  audience: SessionView['audience'] = 'group',
): Promise<SessionView> {
  const today = localDate(now, tz);
  const [attendees, files, members, org] = await Promise.all([
    listAttendees(db, s.id),
    listSessionFiles(db, s.id),
    membersByOpenId(db, s.org_id),
    findOrgById(db, s.org_id),
  ]);
  const windows = org ? attendanceWindowsOf(orgSettings(org)) : {};
  const phase = attendancePhase(s, now, windows);
  // What the record says (held.ts): 已安排, 已召开（纪要待补，…前）, 未召开（…）; 补录 tagged on the card.
  const record = sessionRecordState(s, attendees, now, tz, calendar, windows);
  let reflections: SessionView['reflections'];
  if (s.category === 'study') {
    // Over the real attendees: 心得 of those who signed in / those who signed in; 补学 apart (study-rules.ts).
    const counted = reflectionCounts(attendees, await listReflections(db, s.id));
    reflections = { ...counted, due: reflectionDue(s, calendar, tz) };
  }
  return {
    id: s.id,
    orgId: s.org_id,
    version: s.version,
    category: s.category === 'study' ? 'study' : 'meeting',
    kind: s.kind,
    kindLabel: kindLabel(s.kind),
    heading: sessionHeading(s.kind, s.title),
    title: s.title,
    startText: formatLocal(new Date(s.start_at), tz),
    started: now.getTime() >= Date.parse(s.start_at),
    closed: phase === 'closed',
    phase,
    windowText: signInWindowText(timingOf(s, windows), tz),
    cancelled: s.status === 'cancelled',
    record: {
      state: record.state,
      label: recordStatusLabel({ ...record, backfilled: false }, s.kind),
      text: recordStateText(record, s.kind),
      minutesDue: record.state === 'held' && (record.minutes === 'pending' || record.minutes === 'overdue'),
      backfilled: record.backfilled,
    },
    place: s.place,
    agenda: s.agenda,
    organiserName: s.organiser_name,
    attendees: attendees.map((a) => ({
      openId: a.open_id,
      name: a.name,
      status: a.status,
      reason: a.reason,
      away: isAway(members.get(a.open_id), today),
      correction: a.correction_reason,
      seat: a.seat,
      ...(a.seat === 'exempt' ? { exemptReason: members.get(a.open_id)?.quorum_exempt ?? null } : {}),
    })),
    // The quorum as held.ts judges it (the one rule): those with a vote, and those of them signed in.
    voting: record.voting ?? undefined,
    // A 支委会 (an upper org's 中心组学习) while no 支委 (委员) is registered invites as picked
    // (attendance-rules.ts): the card says so.
    noCommittee:
      (s.kind === 'committee' || centralGroupOfLeaders(s.kind, org?.level)) &&
      ![...members.values()].some((m) => m.committee_post !== null && m.role !== 'observer'),
    audience,
    minutes: s.minutes ?? undefined,
    files: files.map((f) => ({ kind: f.kind, name: f.name })),
    reflections,
  };
}

/**
 * The view for the card answering the actor (a click's answer, a form): drawn for one person in a
 * private chat, for everyone in a group (and when the chat is not known).
 */
export function viewOfSession(ctx: BaseContext & { chat?: ChatRef | undefined }, s: Session): Promise<SessionView> {
  const audience = ctx.chat?.type === 'p2p' ? 'private' : 'group';
  return sessionView(ctx.db, s, ctx.now, ctx.settings.timezone, ctx.calendar, audience);
}

/** Who a card sent to `to` is drawn for: one person (their private chat), else everyone in a group. */
async function audienceOf(ctx: BaseContext, to: Recipient | undefined): Promise<'group' | 'private'> {
  if (!to) return 'group';
  if ('openId' in to) return 'private';
  return (await isGroupChat(ctx.db, to.chatId)) ? 'group' : 'private';
}

/** The session's card for each audience, each drawn once when first needed. */
function cardsFor(ctx: BaseContext, s: Session): (to: Recipient | undefined) => Promise<Card> {
  const drawn = new Map<string, Promise<Card>>();
  return async (to) => {
    const audience = await audienceOf(ctx, to);
    let card = drawn.get(audience);
    if (!card) {
      card = sessionView(ctx.db, s, ctx.now, ctx.settings.timezone, ctx.calendar, audience).then((v) =>
        buildSessionCard(v),
      );
      drawn.set(audience, card);
    }
    return card;
  };
}

/** What a session's cards show (for `ctx.cards`). */
export const sessionSubject = (s: Session): CardSubject => ({ kind: 'session', id: s.id, orgId: s.org_id });

/** Updates every card showing the session except the one just clicked. */
export async function refreshSessionCards(ctx: BaseContext, s: Session, clickedMessageId?: string): Promise<void> {
  const draw = cardsFor(ctx, s);
  await ctx.cards.refresh(sessionSubject(s), (c) => draw(c.to), { answered: clickedMessageId, delayMs: 500 });
}

export async function postSessionCard(
  ctx: BaseContext,
  s: Session,
  to: { chatId: string } | { openId: string },
): Promise<number> {
  return (await postSessionCards(ctx, s, [to]))[0] as number;
}

/** The same card to several places: drawn once, sent to each, each remembered for later updates. */
export async function postSessionCards(
  ctx: BaseContext,
  s: Session,
  targets: readonly ({ chatId: string } | { openId: string })[],
): Promise<number[]> {
  if (targets.length === 0) return [];
  const draw = cardsFor(ctx, s);
  const ids: number[] = [];
  for (const to of targets) ids.push(await ctx.cards.send(sessionSubject(s), to, await draw(to)));
  return ids;
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

/** Sessions whose 签到 window may open soon: windows open at most 12 hours before (model.ts `WINDOW_LIMITS`). */
const PHASE_LOOKAHEAD_MS = 24 * 3600_000;

/** The claim of one phase's redraw: once per session, phase and start time (a 改期 starts again). */
const phaseKey = (job: string, s: Session, phase: string): ClaimKey => ({
  job,
  subject: `session:${s.id}`,
  occurrence: `card-${phase}@${s.start_at}`,
});

/** Which of `keys` are claimed already (one read per few hundred, not one per session). */
async function claimedOf(db: Kysely<Database>, keys: readonly ClaimKey[]): Promise<Set<string>> {
  const out = new Set<string>();
  const strings = keys.map(claimKeyString);
  for (let i = 0; i < strings.length; i += 500) {
    const rows = await db
      .selectFrom('reminder_claims')
      .select('key')
      .where('key', 'in', strings.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.key);
  }
  return out;
}

/**
 * The session cards' buttons follow time (model.ts `attendancePhase`): 签到 appears when the window
 * opens; at the start 参加 and 请假 go and 学习记录 / 记录纪要 and 提交心得 come; when the window closes
 * 缺席 is counted and 补正 offered. Every card of each session whose phase has come and was not drawn yet
 * is redrawn — the group's shared card for everyone alike, each private copy for its person — through
 * the outbox, claimed under `job` once per phase and start time, so replicas and re-runs redraw once.
 * A session is looked at for as long as Feishu lets its cards be updated (14 days), so a phase the
 * bot did not see come (it was down, its clock was moved on) is drawn when it next runs. Returns how
 * many sessions were redrawn. Nobody is notified.
 */
export async function redrawPhaseCards(ctx: BaseContext, job: string): Promise<number> {
  const now = ctx.now;
  const sessions = await listScheduledBetween(
    ctx.db,
    new Date(now.getTime() - CARD_UPDATE_WINDOW_MS).toISOString(),
    new Date(now.getTime() + PHASE_LOOKAHEAD_MS).toISOString(),
  );
  const windows = new Map<number, AttendanceWindows>();
  const due: { s: Session; key: ClaimKey }[] = [];
  for (const s of sessions) {
    if (!windows.has(s.org_id)) windows.set(s.org_id, await orgWindows(ctx.db, s.org_id));
    const phase = attendancePhase(s, now, windows.get(s.org_id));
    if (phase !== 'before') due.push({ s, key: phaseKey(job, s, phase) });
  }
  const claimed = await claimedOf(
    ctx.db,
    due.map((d) => d.key),
  );
  let redrawn = 0;
  for (const { s, key } of due) {
    if (claimed.has(claimKeyString(key))) continue;
    if ((await listLiveCards(ctx.db, 'session', s.id, now)).length === 0) continue;
    if (!(await claimReminder(ctx.db, key, s.org_id, now.toISOString()))) continue;
    await refreshSessionCards(ctx, s);
    redrawn++;
  }
  return redrawn;
}
