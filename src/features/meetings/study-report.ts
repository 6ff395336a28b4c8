/**
 * The half-year 中心组学习 通报 (issue 13 item 4), over the sessions held in the half-year, as held.ts
 * (`sessionRecordState`, through calendar.ts `recordsOf`) says: a session counts once it is 已组织 (its
 * 签到 settled and someone signed in); one 未组织 (nobody signed in) is listed as not counted, one still
 * within its 签到 window (进行中) is left for later. Per member: 应到, 签到, 请假 (asked, or away on /请假
 * that day), 缺席, 出勤率 (签到 ÷ 应到), 心得 handed in for the sessions they attended, and 补学 — apart,
 * never counted as attending. Then who missed (缺席), who owes a 心得 and who did 补学. The rules are in
 * study-rules.ts.
 */
import type { Kysely } from 'kysely';
import { isAway, membersByOpenId } from '../../db/repositories/members.ts';
import type { Database, Org } from '../../db/schema.ts';
import { halfYearOf } from '../../domain/periods.ts';
import { addDays, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { recordsOf } from './calendar.ts';
import { listAttendees, listReflections, listSessions } from './repository.ts';
import { compileStudyReport, type ReportSession, reflectionMark, studyState } from './study-rules.ts';

export type StudyReport = Awaited<ReturnType<typeof studyReport>>;

export async function studyReport(
  db: Kysely<Database>,
  org: Org,
  half: string,
  now: Date,
  tz: string,
  calendar: WorkCalendar,
) {
  const m = /^(\d{4})H([12])$/.exec(half);
  const period = m ? halfYearOf(`${m[1]}-${m[2] === '1' ? '03' : '09'}-01`) : halfYearOf(half);
  const sessions = (
    await listSessions(db, org.id, {
      category: 'study',
      kinds: ['central_group'],
      from: zonedInstant(period.start, '00:00', tz).toISOString(),
      to: zonedInstant(addDays(period.end, 1), '00:00', tz).toISOString(),
    })
  ).filter((s) => Date.parse(s.start_at) <= now.getTime());
  const [records, members] = await Promise.all([
    recordsOf(db, sessions, now, tz, calendar),
    membersByOpenId(db, org.id),
  ]);
  const held: ReportSession[] = [];
  const notHeld: { date: string; title: string }[] = [];
  let inProgress = 0;
  for (const { session: s, record } of records) {
    const date = localDate(new Date(s.start_at), tz);
    if (record.state === 'scheduled' || record.state === 'in_progress') {
      inProgress++;
      continue;
    }
    if (record.state === 'not_held') {
      notHeld.push({ date, title: s.title });
      continue;
    }
    if (record.state !== 'held') continue;
    const attendees = await listAttendees(db, s.id);
    const reflections = new Map((await listReflections(db, s.id)).map((r) => [r.open_id, r]));
    held.push({
      date,
      title: s.title,
      people: attendees.map((a) => {
        const state = studyState(a.status, isAway(members.get(a.open_id), date), true);
        return { openId: a.open_id, name: a.name, state, mark: reflectionMark(state, reflections.get(a.open_id)) };
      }),
    });
  }
  return {
    orgName: org.name,
    half: period.key,
    sessions: held.length,
    notHeld,
    inProgress,
    ...compileStudyReport(held),
  };
}
