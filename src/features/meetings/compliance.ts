/**
 * What the missed-cycle detector says about one rule of one org on a day (docs/domain.md "The default
 * calendar", "Attendance"): only held meetings count (held.ts). Near the end of a period with none held,
 * a scheduled one softens the warning into a due-date reminder; none → the warning. A rule with a
 * half-year window (the 专题会议: H1 Jan–Mar, H2 Jul–Sep) is reminded when its window opens, warned
 * its lead time before the window closes, and escalated after it closed with none held. A 主题党日
 * month without a held one is flagged on the first working day of the next month. What fell due before
 * the org began using the bot is not flagged. Each notice names its occurrence, so the job's runner
 * claims it once.
 *
 * A meeting's organiser hears about its record at most twice, and never that a meeting was held when
 * its record says it was not (held.ts): for a held meeting without minutes, a 纪要提醒 on the day they
 * are due (`minutesDueNotice`, jobs/meeting-reminders.ts) and one 纪要待补 after it
 * (`minutesOverdueNotice`, jobs/compliance-check.ts); for one settled as not held, no minutes nudge but
 * once what the record says and how an admin corrects it (`notHeldNotice`, jobs/meeting-reminders.ts).
 */
import type { Kysely } from 'kysely';
import { plain, textMessage } from '../../cards/text.ts';
import type { Outgoing } from '../../core/message.ts';
import type { Role } from '../../core/roles.ts';
import type { CalendarRule, Database, Session } from '../../db/schema.ts';
import { addDays, addMonths, formatLocal, localDate } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { ruleAppliesAt } from '../hierarchy/level-rules.ts';
import { periodName, type RecordedSession, recordsOf, ruleShape, sessionsBetween, themeDayOf } from './calendar.ts';
import { MINUTES_DUE_WORKDAYS, type SessionRecordState, stateLabel } from './held.ts';
import { basisOf, type Frequency, isStudyKind, kindLabel, rulePeriod, sessionName, verbFor } from './model.ts';

export interface RuleNotice {
  /** The logical occurrence the runner claims once, e.g. `missed:2026-12`, `window-open:2026H2`. */
  occurrence: string;
  /** Who is told: members of the org holding these roles. */
  roles: readonly Role[];
  message: Outgoing;
}

export interface ComplianceInput {
  db: Kysely<Database>;
  calendar: WorkCalendar;
  tz: string;
  now: Date;
  today: string;
}

const PERIOD_WORD: Record<Frequency, string> = {
  month: '本月',
  quarter: '本季度',
  half_year: '本半年',
  year: '本年度',
};

/** A notice tied to a day is still sent this many working days late (the bot was down that day). */
const CATCH_UP_WORKDAYS = 5;

const OFFICERS: readonly Role[] = ['secretary', 'organizer'];
/** An escalation also goes to the 纪检委员. */
const ESCALATION: readonly Role[] = ['secretary', 'inspector', 'organizer'];

const newCommand = (kind: string) => `/${isStudyKind(kind) ? '学习' : '会议'} 新建 ${kindLabel(kind)}`;
const isUpcoming = (r: SessionRecordState) => r.state === 'scheduled' || r.state === 'in_progress';

/** "本月的支部委员会会议已安排于 … （支委会“…”），请按时召开支委会并做好签到和纪要。" */
function dueReminder(r: CalendarRule, period: string, s: Session, tz: string): Outgoing {
  const verb = verbFor(r.kind);
  const notes = isStudyKind(r.kind) ? '学习记录' : '纪要';
  return textMessage`【合规提醒】${period}的${r.name}已安排于 ${formatLocal(new Date(s.start_at), tz)}（${sessionName(s.kind, plain(s.title, 60))}），请按时${verb}${kindLabel(r.kind)}并做好签到和${notes}（${basisOf(r.source)}）。`;
}

/**
 * The rules their orgs owe at their level (hierarchy/level-rules.ts): a 党委 is not warned about
 * 三会一课, nor a 支部 about the 专题会议. Orgs without a level keep every rule.
 */
export async function owedRules(db: Kysely<Database>, rules: readonly CalendarRule[]): Promise<CalendarRule[]> {
  const ids = [...new Set(rules.map((r) => r.org_id))];
  if (ids.length === 0) return [];
  const orgs = await db.selectFrom('orgs').select(['id', 'level']).where('id', 'in', ids).execute();
  const levels = new Map(orgs.map((o) => [o.id, o.level]));
  return rules.filter((r) => ruleAppliesAt(r.key, levels.get(r.org_id)));
}

/** The notices of a rule without a fixed day, as of `today`. */
export async function ruleNotices(c: ComplianceInput, r: CalendarRule): Promise<RuleNotice[]> {
  if (r.fixed_day) return themeMonthNotices(c, r);
  const shape = ruleShape(r);
  const p = rulePeriod(shape, c.today);
  const windowed = p.windowStart !== p.start || p.windowEnd !== p.end;
  if (windowed && c.today < p.windowStart) return [];
  // Outside a window, nothing is due before the lead time (the records are read only when something may be).
  const warnFrom = c.calendar.addWorkdays(c.calendar.onOrBefore(p.windowEnd), -r.lead_days);
  if (!windowed && c.today < warnFrom) return [];
  const inPeriod = await recordsOf(
    c.db,
    await sessionsBetween(c.db, r.org_id, r.kind, p.start, p.end, c.tz),
    c.now,
    c.tz,
    c.calendar,
  );
  const inWindow = inPeriod.filter((x) => {
    const d = localDate(new Date(x.session.start_at), c.tz);
    return d >= p.windowStart && d <= p.windowEnd;
  });
  if (inWindow.some((x) => x.record.state === 'held')) return [];
  const upcoming = inPeriod.find((x) => isUpcoming(x.record));
  const period = PERIOD_WORD[shape.frequency] ?? '本期';
  const verb = verbFor(r.kind);
  const basis = basisOf(r.source);
  if (windowed && c.today > p.windowEnd)
    return (await orgSince(c, r.org_id, p.windowEnd)) ? [escalation(c, r, p, upcoming)] : [];
  const end = p.windowEnd;
  if (c.today >= warnFrom) {
    if (upcoming)
      return [{ occurrence: `due:${p.key}`, roles: OFFICERS, message: dueReminder(r, period, upcoming.session, c.tz) }];
    const limit = windowed ? `规定时间为 ${p.windowStart} 至 ${end}，将于 ${end} 结束` : `${period}将于 ${end} 结束`;
    return [
      {
        occurrence: `missed:${p.key}`,
        roles: OFFICERS,
        message: textMessage`【合规提醒】${period}尚未${verb}${r.name}（${basis}）。${limit}，请尽快安排：${newCommand(r.kind)}`,
      },
    ];
  }
  if (!windowed || upcoming) return [];
  return [
    {
      occurrence: `window-open:${p.key}`,
      roles: OFFICERS,
      message: textMessage`【合规提醒】${periodName(p.key)}${r.name}的规定时间为 ${p.windowStart} 至 ${end}（${basis}），现已开始，请及早安排${verb}：${newCommand(r.kind)}`,
    },
  ];
}

/** The org used the bot by `date`: what was due before it began is not flagged (an admin can 补录 it). */
async function orgSince(c: ComplianceInput, orgId: number, date: string): Promise<boolean> {
  const org = await c.db.selectFrom('orgs').select('created_at').where('id', '=', orgId).executeTakeFirst();
  return org !== undefined && localDate(new Date(org.created_at), c.tz) <= date;
}

/** The window closed with none held: to the 书记, the 纪检委员 and the 组织委员, once per period. */
function escalation(
  c: ComplianceInput,
  r: CalendarRule,
  p: ReturnType<typeof rulePeriod>,
  upcoming: RecordedSession | undefined,
): RuleNotice {
  const verb = verbFor(r.kind);
  const later = upcoming ? `目前已安排于 ${formatLocal(new Date(upcoming.session.start_at), c.tz)}${verb}。` : '';
  return {
    occurrence: `window-missed:${p.key}`,
    roles: ESCALATION,
    message: textMessage`【合规督办】${p.key.slice(0, 4)}年${periodName(p.key)}${r.name}未在规定时间 ${p.windowStart} 至 ${p.windowEnd} 内${verb}（${basisOf(r.source)}）。${later}请尽快${verb}并做好签到和纪要；如已${verb}而未在清风登记，请管理员补录：/会议 补录 ${kindLabel(r.kind)}`,
  };
}

/**
 * The 主题党日 of last month: flagged from the first working day of this month when none was held in it
 * (one scheduled but with no one signed in is not held), for months whose theme day came after the org
 * began using the bot.
 */
async function themeMonthNotices(c: ComplianceInput, r: CalendarRule): Promise<RuleNotice[]> {
  const monthStart = `${c.today.slice(0, 7)}-01`;
  const first = c.calendar.onOrAfter(monthStart);
  // From the month's first working day; a few more in case the bot was down that day.
  if (c.today < first || c.today > c.calendar.addWorkdays(first, CATCH_UP_WORKDAYS)) return [];
  const last = addMonths(monthStart, -1);
  const end = addDays(monthStart, -1);
  if (!(await orgSince(c, r.org_id, themeDayOf(last, r.fixed_day ?? 15, c.calendar)))) return [];
  const records = await recordsOf(
    c.db,
    await sessionsBetween(c.db, r.org_id, r.kind, last, end, c.tz),
    c.now,
    c.tz,
    c.calendar,
  );
  if (records.some((x) => x.record.state === 'held')) return [];
  const month = `${last.slice(0, 4)}年${Number(last.slice(5, 7))}月`;
  const unsigned = records.some((x) => x.record.state === 'not_held') ? '已安排的主题党日无人签到，不计为已开展。' : '';
  return [
    {
      occurrence: `missed:${last.slice(0, 7)}`,
      roles: OFFICERS,
      message: textMessage`【合规提醒】${month}没有已开展的主题党日记录（${basisOf(r.source)}）。${unsigned}请本月按时开展；如上月已开展而未在清风登记，请管理员补录：/会议 补录 主题党日`,
    },
  ];
}

/** A held meeting whose minutes are past due (held.ts): one 纪要待补 reminder to its organiser. */
export function minutesOverdueNotice(s: Session, r: SessionRecordState, tz: string): Outgoing | undefined {
  if (s.category !== 'meeting' || r.state !== 'held' || r.minutes !== 'overdue') return undefined;
  return textMessage`【纪要待补】${meetingOn(s, tz)}，纪要应于 ${r.minutesDue ?? ''} 前完成，现仍未记录。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${s.id} 纪要内容。`;
}

/** "2026-12-03 召开的支委会“12月支委会”": what the organiser's notices about a meeting's record name. */
function meetingOn(s: Session, tz: string): string {
  return `${localDate(new Date(s.start_at), tz)} ${verbFor(s.kind)}的${sessionName(s.kind, plain(s.title, 60))}`;
}

/**
 * A held meeting whose minutes are due today (held.ts): the 纪要提醒 to its organiser, on the due day
 * only — after it, `minutesOverdueNotice` takes over.
 */
export function minutesDueNotice(s: Session, r: SessionRecordState, today: string, tz: string): Outgoing | undefined {
  if (s.category !== 'meeting' || r.state !== 'held' || r.minutes !== 'pending' || r.minutesDue !== today)
    return undefined;
  return textMessage`【纪要提醒】${meetingOn(s, tz)}，纪要应在会后 ${MINUTES_DUE_WORKDAYS} 个工作日内完成，今天（${today}）到期。请在会议卡片上“记录纪要”，或发送 /会议 纪要 ${s.id} 纪要内容，并把照片、签到表发给清风。`;
}

/**
 * A meeting settled as not held (held.ts): once to its organiser, what the record says and why — never
 * that it was held — and that an admin corrects the attendance with /会议 补正 if it did take place.
 */
export function notHeldNotice(s: Session, r: SessionRecordState, tz: string): Outgoing | undefined {
  if (s.category !== 'meeting' || r.state !== 'not_held') return undefined;
  const verb = verbFor(s.kind);
  const held = stateLabel('held', s.kind);
  const noQuorum = r.present > 0 && r.voting !== null && !r.voting.quorum;
  // held.ts's own reason, as the card gives it (with the 预备党员 who attended 列席 without a vote).
  const why = noQuorum && r.why ? r.why.replace(/。$/, '') : '无人签到';
  const ifHeld = noQuorum ? '如到会人数实际已超过半数' : `如实际已${verb}`;
  return textMessage`【出勤记录】原定于 ${meetingOn(s, tz)}${why}，记录为${stateLabel('not_held', s.kind)}，本期不计为${held}。${ifHeld}，请管理员按现场签到表补正出勤：/会议 补正 ${s.id} @姓名 签到 补正理由`;
}
