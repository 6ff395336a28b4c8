/** The 三会一课记录簿 and the 学习考勤 ledgers, as ledger-kit definitions. */
import type { Kysely } from 'kysely';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import type { AttendeeSeat, Database, Org, Session } from '../../db/schema.ts';
import { formatLocal, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { defineExporter, type ExportColumn, exportedAt, type LedgerFile } from '../../ledger/export-kit.ts';
import { exemptWhy, guestsText, type Seated, seatGroups } from './attendance-rules.ts';
import { recordOf } from './calendar.ts';
import { recordStateText, type SessionRecordState } from './held.ts';
import { type AttendanceWindows, attendanceClosed, kindLabel } from './model.ts';
import { orgWindows } from './refresh.ts';
import { listAttendees, listReflections, listSessionFiles, listSessions } from './repository.ts';
import { type ReflectionMark, reflectionMark, type StudyState } from './study-rules.ts';

/** One invitee's attendance as the ledgers read it (`attendanceOf`). */
interface Attended {
  openId: string;
  name: string;
  /** signed | leave | absent | pending (the 签到 window not yet closed) */
  state: string;
  /** Why they were not there, where recorded (the 请假's reason, or the leave covering the day). */
  reason?: string | null;
  correction: string | null;
  seat: AttendeeSeat | null;
  exemptReason: string | null;
}
type Attendance = Attended[];

const sessionDate = (s: Session, tz: string) => localDate(new Date(s.start_at), tz);
const countState = (att: readonly Attended[], state: string) => att.filter((a) => a.state === state).length;

/** 日期, (学习)类型, (学习)主题: the first columns of both ledgers. */
function sessionColumns<T extends { session: Session; date: string }>(prefix: '' | '学习'): ExportColumn<T>[] {
  return [
    { header: '日期', width: 12, kind: 'date', value: (r) => r.date },
    { header: `${prefix}类型`, width: 12, value: (r) => kindLabel(r.session.kind) },
    { header: `${prefix}主题`, width: 36, value: (r) => r.session.title },
  ];
}

/**
 * A meeting whose time has come, with what its record says (held.ts), its attendance and attachments.
 * `seats` is the attendance by where each counts (attendance-rules.ts `seatGroups`, as the card reads
 * it): 应到, 实到, 请假 and 缺席 are over those counted; 列席 and 不计应到 are listed apart.
 */
interface MeetingLedgerRow {
  session: Session;
  date: string;
  /** The start, `YYYY-MM-DD HH:mm` in the org's timezone (Asia/Shanghai by default). */
  time?: string;
  record: SessionRecordState;
  attendance: Attendance;
  seats: Seated<Attended>;
  files: string;
}

/** "预备党员 2 人（吴预备、郑预备），已签到 2 人", as the card's 列席 line. */
const guestsCell = (r: MeetingLedgerRow) =>
  r.seats.guests.length === 0
    ? ''
    : guestsText(
        r.seats.guests,
        (a) => a.state === 'signed',
        (people) => people.map((a) => a.name).join('、'),
      );

/**
 * Why each counted member was not there, one a line, from the record: "赵党员：请假，外出公务" (the reason
 * given with the 请假, or that of a /请假 or 出差 covering the day), "孙党员：缺席，未请假".
 */
const absenceCell = (r: MeetingLedgerRow) =>
  r.seats.counted
    .filter((a) => a.state === 'leave' || a.state === 'absent')
    .map((a) =>
      a.state === 'leave'
        ? `${a.name}：请假${a.reason ? `，${a.reason}` : ''}`
        : `${a.name}：缺席，${a.reason ?? '未请假'}`,
    )
    .join('\n');

/** "冯病休：长期病假", one a line: those the 支部 does not count in 应到, with its reason. */
const exemptCell = (r: MeetingLedgerRow) =>
  r.seats.exempt.map((a) => `${a.name}：${exemptWhy(a.exemptReason)}`).join('\n');

export const meetingLedger = defineExporter<MeetingLedgerRow>({
  sheetName: '三会一课记录簿',
  columns: [
    ...sessionColumns<MeetingLedgerRow>(''),
    // Chosen on the form (the 书记 for a 党员大会 or 支委会 when none was): never who published the notice.
    { header: '主持人', width: 10, value: (r) => r.session.host_name ?? '' },
    { header: '应到', width: 6, kind: 'number', value: (r) => r.seats.counted.length },
    { header: '实到', width: 6, kind: 'number', value: (r) => countState(r.seats.counted, 'signed') },
    { header: '请假', width: 6, kind: 'number', value: (r) => countState(r.seats.counted, 'leave') },
    { header: '缺席', width: 6, kind: 'number', value: (r) => countState(r.seats.counted, 'absent') },
    { header: '纪要', width: 44, value: (r) => r.session.minutes ?? '' },
    { header: '佐证', width: 30, value: (r) => r.files },
    // After the columns inspectors read in a fixed order: the record's 时间, 地点, 记录人 and why members
    // were not there; who attended without a vote, who is not counted.
    { header: '时间', width: 17, value: (r) => r.time ?? '' },
    { header: '地点', width: 20, value: (r) => r.session.place },
    { header: '记录人', width: 10, value: (r) => r.session.recorder_name ?? '' },
    { header: '缺席原因', width: 36, value: absenceCell },
    { header: '列席', width: 30, value: guestsCell },
    { header: '不计应到', width: 24, value: exemptCell },
    { header: '补正', width: 30, value: (r) => correctionsOf(r.attendance) },
    // 已召开 / 纪要待补 / 未召开 (and why) / 进行中, （补录） for a record entered afterwards: never "time passed ⇒ held".
    { header: '状态', width: 24, value: (r) => recordStateText(r.record, r.session.kind) },
  ],
});

const STATE_LABELS: Record<string, string> = { signed: '签到', leave: '请假', absent: '缺席', pending: '未回复' };

/** "张三 补正为签到（理由）", one a line: an admin's 补正 after the 签到 window. */
function correctionsOf(att: Attendance): string {
  return att
    .filter((a) => a.correction)
    .map((a) => `${a.name} 补正为${STATE_LABELS[a.state] ?? a.state}（${a.correction}）`)
    .join('\n');
}

/** One member at one study session whose time has come (the ledger lists them all, as the 记录簿 does). */
interface StudyLedgerRow {
  session: Session;
  date: string;
  /** What the session's record says (held.ts), the same on each of its rows. */
  record: SessionRecordState;
  attendee: Attendance[number];
  /** Their 心得 over the real attendees (study-rules.ts): 已提交 / 未提交 for who signed in, 补学 apart. */
  reflection: ReflectionMark;
  /** The local date of a 补学 心得. */
  makeupOn: string | null;
}

const mark = (r: StudyLedgerRow, state: string) => (r.attendee.state === state ? '✓' : '');

export const studyLedger = defineExporter<StudyLedgerRow>({
  sheetName: '学习考勤',
  columns: [
    ...sessionColumns<StudyLedgerRow>('学习'),
    { header: '姓名', width: 10, value: (r) => r.attendee.name },
    { header: '签到', width: 6, value: (r) => mark(r, 'signed') },
    { header: '请假', width: 6, value: (r) => mark(r, 'leave') },
    { header: '缺席', width: 6, value: (r) => mark(r, 'absent') },
    {
      header: '心得提交',
      width: 8,
      value: (r) => (r.reflection === 'submitted' ? '已提交' : r.reflection === 'owed' ? '未提交' : ''),
    },
    // 补学 is not attendance: the person stays 缺席 or 请假 above.
    { header: '补学', width: 16, value: (r) => (r.makeupOn ? `已补学（${r.makeupOn}）` : '') },
    { header: '补正', width: 20, value: (r) => r.attendee.correction ?? '' },
    // The session's 状态, as in the 三会一课记录簿 (held.ts): 已组织 / 已开展, 学习记录待补, 未开展（无人签到…）
    // — the 通报 leaves a session nobody signed in to out, and this says why its rows are all 缺席.
    { header: '状态', width: 24, value: (r) => recordStateText(r.record, r.session.kind) },
  ],
});

async function yearSessions(
  db: Kysely<Database>,
  orgId: number,
  category: 'meeting' | 'study',
  year: number,
  tz: string,
  now: Date,
) {
  const sessions = await listSessions(db, orgId, {
    category,
    from: zonedInstant(`${year}-01-01`, '00:00', tz).toISOString(),
    to: zonedInstant(`${year + 1}-01-01`, '00:00', tz).toISOString(),
  });
  return sessions.filter((s) => Date.parse(s.start_at) <= now.getTime());
}

/**
 * Attendance of a held session as of `now`: leave includes members on 请假/出差 that day; once the
 * 签到 window has closed (the session's own, else the org's `windows`, else the default) the rest are
 * absent (缺席), before that they are pending (no column counts them).
 */
export async function attendanceOf(
  db: Kysely<Database>,
  s: Session,
  tz: string,
  now: Date,
  windows?: AttendanceWindows,
): Promise<Attendance> {
  const day = localDate(new Date(s.start_at), tz);
  const members = await membersByOpenId(db, s.org_id);
  const rest = attendanceClosed(s, now, windows ?? (await orgWindows(db, s.org_id))) ? 'absent' : 'pending';
  const rows = (await listAttendees(db, s.id)).map((a) => {
    const m = members.get(a.open_id);
    const away = isAway(m, day) && a.status !== 'signed';
    const state = a.status === 'signed' ? 'signed' : a.status === 'leave' || away ? 'leave' : rest;
    // Why they were not there, where recorded: the 请假's reason, else that of the leave covering the day.
    const reason = state === 'signed' ? null : a.status === 'leave' ? a.reason : away ? (m?.away_reason ?? null) : null;
    return {
      openId: a.open_id,
      name: a.name,
      state,
      reason: reason?.trim() || null,
      correction: a.correction_reason,
      seat: a.seat,
      // The 支部's reason as the register says it now, as on the card.
      exemptReason: a.seat === 'exempt' ? (m?.quorum_exempt ?? null) : null,
    };
  });
  return rows;
}

export async function exportMeetings(
  db: Kysely<Database>,
  o: { org: Org; year: number; now: Date; timezone: string; calendar: WorkCalendar },
): Promise<LedgerFile> {
  const sessions = await yearSessions(db, o.org.id, 'meeting', o.year, o.timezone, o.now);
  const windows = await orgWindows(db, o.org.id);
  const rows: MeetingLedgerRow[] = [];
  for (const session of sessions) {
    const attendance = await attendanceOf(db, session, o.timezone, o.now, windows);
    rows.push({
      session,
      date: sessionDate(session, o.timezone),
      time: formatLocal(new Date(session.start_at), o.timezone),
      record: await recordOf(db, session, o.now, o.timezone, o.calendar, windows),
      attendance,
      seats: seatGroups(session.kind, attendance, (a) => a.state === 'signed'),
      files: (await listSessionFiles(db, session.id)).map((f) => (f.kind === 'file' ? f.name : f.value)).join('\n'),
    });
  }
  const bytes = await meetingLedger.write({
    title: `${o.org.name} ${o.year}年三会一课记录簿`,
    subtitle: exportedAt(o.now, o.timezone),
    rows,
  });
  return { fileName: `三会一课记录簿-${o.org.name}-${o.year}.xlsx`, bytes, count: sessions.length };
}

export async function exportStudy(
  db: Kysely<Database>,
  o: { org: Org; year: number; now: Date; timezone: string; calendar: WorkCalendar },
): Promise<LedgerFile> {
  const sessions = await yearSessions(db, o.org.id, 'study', o.year, o.timezone, o.now);
  const windows = await orgWindows(db, o.org.id);
  const rows: StudyLedgerRow[] = [];
  for (const session of sessions) {
    const reflections = new Map((await listReflections(db, session.id)).map((r) => [r.open_id, r]));
    const date = sessionDate(session, o.timezone);
    const record = await recordOf(db, session, o.now, o.timezone, o.calendar, windows);
    for (const attendee of await attendanceOf(db, session, o.timezone, o.now, windows)) {
      const r = reflections.get(attendee.openId);
      const reflection = reflectionMark(attendee.state as StudyState, r);
      const makeupOn = reflection === 'makeup' && r ? localDate(new Date(r.submitted_at), o.timezone) : null;
      rows.push({ session, date, record, attendee, reflection, makeupOn });
    }
  }
  const bytes = await studyLedger.write({
    title: `${o.org.name} ${o.year}年学习考勤`,
    subtitle: exportedAt(o.now, o.timezone),
    rows,
  });
  return { fileName: `学习考勤-${o.org.name}-${o.year}.xlsx`, bytes, count: sessions.length };
}
