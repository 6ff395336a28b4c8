/**
 * The compliance calendar: each rule's period and what its record says in it — 已安排, 已召开, 未召开,
 * 纪要待补 (held.ts: a scheduled meeting never counts as held) — when it was last held and when it is
 * next due, and the 主题党日 date (moved to the previous working day when it falls on a day off).
 */
import type { Kysely } from 'kysely';
import { findOrgById, orgSettings } from '../../db/repositories/orgs.ts';
import type { CalendarRule, Database, Session } from '../../db/schema.ts';
import { addDays, formatLocal, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { rulesForLevel } from '../hierarchy/level-rules.ts';
import { BACKFILL_MARK, minutesDueWord, type SessionRecordState, sessionRecordState, stateLabel } from './held.ts';
import {
  type AttendanceWindows,
  attendanceWindowsOf,
  citationOf,
  type DefaultRule,
  FREQUENCY_LABELS,
  type Frequency,
  rulePeriod,
} from './model.ts';
import { ensureRules, listAttendees, listRules, listSessions } from './repository.ts';

export function ruleShape(r: CalendarRule): Pick<DefaultRule, 'frequency' | 'window'> {
  return {
    frequency: r.frequency as Frequency,
    window: r.window ? (JSON.parse(r.window) as DefaultRule['window']) : null,
  };
}

/** 主题党日 of the month containing `date`: the fixed day, or the working day before it. */
export function themeDayOf(date: string, fixedDay: number, calendar: WorkCalendar): string {
  const ym = date.slice(0, 7);
  const last = Number(rulePeriod({ frequency: 'month', window: null }, date).end.slice(8, 10));
  const day = `${ym}-${String(Math.min(fixedDay, last)).padStart(2, '0')}`;
  return calendar.onOrBefore(day);
}

/** Sessions of the rule's kind in its period containing `date` (cancelled ones left out). */
export async function sessionsInPeriod(db: Kysely<Database>, r: CalendarRule, date: string, tz: string) {
  const p = rulePeriod(ruleShape(r), date);
  return sessionsBetween(db, r.org_id, r.kind, p.start, p.end, tz);
}

/** Sessions of an org's `kind` starting on the local dates [from, to]. */
export async function sessionsBetween(
  db: Kysely<Database>,
  orgId: number,
  kind: CalendarRule['kind'],
  from: string,
  to: string,
  tz: string,
) {
  return listSessions(db, orgId, {
    kinds: [kind],
    from: zonedInstant(from, '00:00', tz).toISOString(),
    to: zonedInstant(addDays(to, 1), '00:00', tz).toISOString(),
  });
}

/** A session with what its record says as of `now` (held.ts). */
export interface RecordedSession {
  session: Session;
  record: SessionRecordState;
}

/**
 * The org's own 签到 windows (`/设置 签到窗口`): they decide when attendance is settled only for sessions
 * from before each session kept its own window (model.ts `sessionWindow`).
 */
async function windowsOf(db: Kysely<Database>, orgId: number): Promise<AttendanceWindows> {
  const org = await findOrgById(db, orgId);
  return org ? attendanceWindowsOf(orgSettings(org)) : {};
}

/** What the record of `s` says as of `now`: its attendance read, the held rule applied. */
export async function recordOf(
  db: Kysely<Database>,
  s: Session,
  now: Date,
  tz: string,
  calendar: WorkCalendar,
  windows?: AttendanceWindows,
): Promise<SessionRecordState> {
  const w = windows ?? (await windowsOf(db, s.org_id));
  return sessionRecordState(s, await listAttendees(db, s.id), now, tz, calendar, w);
}

/** Each session with its record (the org's 签到 windows looked up once per org). */
export async function recordsOf(
  db: Kysely<Database>,
  sessions: readonly Session[],
  now: Date,
  tz: string,
  calendar: WorkCalendar,
): Promise<RecordedSession[]> {
  const windows = new Map<number, AttendanceWindows>();
  const out: RecordedSession[] = [];
  for (const session of sessions) {
    let w = windows.get(session.org_id);
    if (!w) {
      w = await windowsOf(db, session.org_id);
      windows.set(session.org_id, w);
    }
    out.push({ session, record: await recordOf(db, session, now, tz, calendar, w) });
  }
  return out;
}

/** How many of `records` are 已安排 (or under way), 已召开, 未召开, and held with the minutes 待补. */
export function periodCounts(records: readonly RecordedSession[]) {
  const of = (f: (r: SessionRecordState) => boolean) => records.filter((x) => f(x.record)).length;
  return {
    scheduled: of((r) => r.state === 'scheduled' || r.state === 'in_progress'),
    held: of((r) => r.state === 'held'),
    notHeld: of((r) => r.state === 'not_held'),
    minutesDue: of((r) => r.state === 'held' && (r.minutes === 'pending' || r.minutes === 'overdue')),
  };
}

/** "12月", "第四季度", "下半年", "2026年": the period a rule's key names. */
export function periodName(key: string): string {
  const m = /^(\d{4})(?:-(\d{2})|Q(\d)|H(\d))?$/.exec(key);
  if (!m) return key;
  if (m[2]) return `${Number(m[2])}月`;
  if (m[3]) return `第${['一', '二', '三', '四'][Number(m[3]) - 1]}季度`;
  if (m[4]) return m[4] === '1' ? '上半年' : '下半年';
  return `${m[1]}年`;
}

/** "本期：已召开 1 · 纪要待补 1", or what the period lacks. */
function periodText(kind: string, c: ReturnType<typeof periodCounts>, due: boolean): string {
  const parts: string[] = [];
  if (c.held) parts.push(`${stateLabel('held', kind)} ${c.held}`);
  if (c.minutesDue) parts.push(`${minutesDueWord(kind)} ${c.minutesDue}`);
  if (c.scheduled) parts.push(`已安排 ${c.scheduled}`);
  if (c.notHeld) parts.push(`${stateLabel('not_held', kind)} ${c.notHeld}`);
  if (parts.length === 0) return due ? '尚未安排' : '—';
  return parts.join(' · ');
}

/** The last held session of the rule's kind before `now`: its local date, 补录 marked. */
async function lastHeld(db: Kysely<Database>, r: CalendarRule, now: Date, tz: string, calendar: WorkCalendar) {
  const past = await listSessions(db, r.org_id, { kinds: [r.kind], to: now.toISOString() });
  for (const s of past.reverse()) {
    const rec = await recordOf(db, s, now, tz, calendar);
    if (rec.state === 'held') return `${localDate(new Date(s.start_at), tz)}${rec.backfilled ? BACKFILL_MARK : ''}`;
  }
  return '无记录';
}

export async function calendarView(db: Kysely<Database>, orgId: number, now: Date, tz: string, calendar: WorkCalendar) {
  await ensureRules(db, orgId, now.toISOString());
  const today = localDate(now, tz);
  const out = [];
  // Each level sees the rules it owes (hierarchy/level-rules.ts); an org without a level sees them all.
  const level = (await findOrgById(db, orgId))?.level;
  for (const r of rulesForLevel(await listRules(db, orgId), level)) {
    const shape = ruleShape(r);
    const p = rulePeriod(shape, today);
    const records = await recordsOf(db, await sessionsInPeriod(db, r, today, tz), now, tz, calendar);
    const c = periodCounts(records);
    const arranged = c.held + c.scheduled > 0;
    const upcoming = records.find((x) => x.record.state === 'scheduled');
    let nextDue: string;
    if (r.fixed_day) {
      const thisMonth = themeDayOf(today, r.fixed_day, calendar);
      nextDue = arranged || thisMonth < today ? themeDayOf(addDays(p.end, 1), r.fixed_day, calendar) : thisMonth;
    } else if (c.held > 0) {
      nextDue = `${rulePeriod(shape, addDays(p.end, 1)).windowEnd} 前`;
    } else if (upcoming) {
      nextDue = `已安排 ${formatLocal(new Date(upcoming.session.start_at), tz)}`;
    } else {
      const end = today <= p.windowEnd ? p.windowEnd : p.end;
      nextDue = `${end} 前（本期尚未安排）`;
    }
    const window = shape.window
      ? `上半年 ${shape.window.H1?.join('至') ?? ''}，下半年 ${shape.window.H2?.join('至') ?? ''}`
      : '';
    out.push({
      key: r.key,
      name: r.name,
      frequency: FREQUENCY_LABELS[shape.frequency] ?? r.frequency,
      window,
      period: periodName(p.key),
      state: periodText(r.kind, c, r.enabled === 1),
      lastMet: await lastHeld(db, r, now, tz, calendar),
      nextDue,
      source: citationOf(r.source),
      enabled: r.enabled === 1,
      fixedDay: r.fixed_day,
    });
  }
  return out;
}
