/** The half-year 中心组 report: per member, sessions signed in, on leave, absent and 心得 handed in. */
import type { Kysely } from 'kysely';
import type { Database, Org } from '../../db/schema.ts';
import { halfYearOf } from '../../domain/periods.ts';
import { addDays, zonedInstant } from '../../domain/time.ts';
import { attendanceOf } from './export.ts';
import { listReflections, listSessions } from './repository.ts';

export async function studyReport(db: Kysely<Database>, org: Org, half: string, now: Date, tz: string) {
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
  const members = new Map<
    string,
    { name: string; signed: number; leave: number; absent: number; reflections: number }
  >();
  for (const s of sessions) {
    const reflected = new Set((await listReflections(db, s.id)).map((r) => r.open_id));
    for (const a of await attendanceOf(db, s, tz, now)) {
      const row = members.get(a.openId) ?? { name: a.name, signed: 0, leave: 0, absent: 0, reflections: 0 };
      if (a.state === 'signed') row.signed++;
      else if (a.state === 'leave') row.leave++;
      else if (a.state === 'absent') row.absent++;
      if (reflected.has(a.openId)) row.reflections++;
      members.set(a.openId, row);
    }
  }
  return { orgName: org.name, half: period.key, sessions: sessions.length, members: [...members.values()] };
}
