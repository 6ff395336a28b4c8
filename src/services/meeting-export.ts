/** The 三会一课记录簿 and the 学习考勤 ledgers, through the shared export machinery. */
import type { Kysely } from 'kysely';
import { listAttendees, listReflections, listSessionFiles, listSessions } from '../db/repositories/meetings.ts';
import { isAway, membersByOpenId } from '../db/repositories/members.ts';
import type { Database, Org, Session } from '../db/schema.ts';
import { kindLabel } from '../domain/meetings.ts';
import { formatLocal, localDate, zonedInstant } from '../domain/time.ts';
import type { WorkCalendar } from '../domain/workdays.ts';
import { type LedgerColumn, writeLedger } from './spreadsheet.ts';

export const MEETING_EXPORT_COLUMNS: LedgerColumn[] = [
  { header: '日期', width: 12, kind: 'date' },
  { header: '类型', width: 12 },
  { header: '主题', width: 36 },
  { header: '主持人', width: 10 },
  { header: '应到', width: 6, kind: 'number' },
  { header: '实到', width: 6, kind: 'number' },
  { header: '请假', width: 6, kind: 'number' },
  { header: '缺席', width: 6, kind: 'number' },
  { header: '纪要', width: 44 },
  { header: '佐证', width: 30 },
];

export const STUDY_EXPORT_COLUMNS: LedgerColumn[] = [
  { header: '日期', width: 12, kind: 'date' },
  { header: '学习类型', width: 12 },
  { header: '学习主题', width: 36 },
  { header: '姓名', width: 10 },
  { header: '签到', width: 6 },
  { header: '请假', width: 6 },
  { header: '缺席', width: 6 },
  { header: '心得提交', width: 8 },
];

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

/** Attendance of a held session: leave includes members on 请假/出差 that day; absent is the rest. */
export async function attendanceOf(db: Kysely<Database>, s: Session, tz: string) {
  const day = localDate(new Date(s.start_at), tz);
  const members = await membersByOpenId(db, s.org_id);
  const rows = (await listAttendees(db, s.id)).map((a) => {
    const m = members.get(a.open_id);
    const away = isAway(m, day) && a.status !== 'signed';
    const state = a.status === 'signed' ? 'signed' : a.status === 'leave' || away ? 'leave' : 'absent';
    return { openId: a.open_id, name: a.name, state };
  });
  return rows;
}

export async function exportMeetings(
  db: Kysely<Database>,
  o: { org: Org; year: number; now: Date; timezone: string; calendar: WorkCalendar },
): Promise<{ fileName: string; bytes: Buffer; count: number }> {
  const sessions = await yearSessions(db, o.org.id, 'meeting', o.year, o.timezone, o.now);
  const rows: (string | number | null)[][] = [];
  for (const s of sessions) {
    const att = await attendanceOf(db, s, o.timezone);
    const files = await listSessionFiles(db, s.id);
    rows.push([
      localDate(new Date(s.start_at), o.timezone),
      kindLabel(s.kind),
      s.title,
      s.organiser_name,
      att.length,
      att.filter((a) => a.state === 'signed').length,
      att.filter((a) => a.state === 'leave').length,
      att.filter((a) => a.state === 'absent').length,
      s.minutes ?? '',
      files.map((f) => (f.kind === 'file' ? f.name : f.value)).join('\n'),
    ]);
  }
  const bytes = await writeLedger({
    sheetName: '三会一课记录簿',
    title: `${o.org.name} ${o.year}年三会一课记录簿`,
    subtitle: `导出时间：${formatLocal(o.now, o.timezone)}`,
    columns: MEETING_EXPORT_COLUMNS,
    rows,
  });
  return { fileName: `三会一课记录簿-${o.org.name}-${o.year}.xlsx`, bytes, count: sessions.length };
}

export async function exportStudy(
  db: Kysely<Database>,
  o: { org: Org; year: number; now: Date; timezone: string },
): Promise<{ fileName: string; bytes: Buffer; count: number }> {
  const sessions = await yearSessions(db, o.org.id, 'study', o.year, o.timezone, o.now);
  const rows: (string | number | null)[][] = [];
  for (const s of sessions) {
    const reflected = new Set((await listReflections(db, s.id)).map((r) => r.open_id));
    for (const a of await attendanceOf(db, s, o.timezone)) {
      rows.push([
        localDate(new Date(s.start_at), o.timezone),
        kindLabel(s.kind),
        s.title,
        a.name,
        a.state === 'signed' ? '✓' : '',
        a.state === 'leave' ? '✓' : '',
        a.state === 'absent' ? '✓' : '',
        reflected.has(a.openId) ? '已提交' : a.state === 'signed' ? '未提交' : '',
      ]);
    }
  }
  const bytes = await writeLedger({
    sheetName: '学习考勤',
    title: `${o.org.name} ${o.year}年学习考勤`,
    subtitle: `导出时间：${formatLocal(o.now, o.timezone)}`,
    columns: STUDY_EXPORT_COLUMNS,
    rows,
  });
  return { fileName: `学习考勤-${o.org.name}-${o.year}.xlsx`, bytes, count: sessions.length };
}
