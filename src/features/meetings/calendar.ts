/**
 * The compliance calendar: each rule's period, when it was last met and when it is next due, the
 * 主题党日 date (moved to the previous working day when it falls on a day off), and whether a
 * required meeting is missing in the current period.
 */
import type { Kysely } from 'kysely';
import type { CalendarRule, Database } from '../../db/schema.ts';
import { addDays, localDate, zonedInstant } from '../../domain/time.ts';
import type { WorkCalendar } from '../../domain/workdays.ts';
import { citationOf, type DefaultRule, FREQUENCY_LABELS, type Frequency, rulePeriod } from './model.ts';
import { ensureRules, listRules, listSessions } from './repository.ts';

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

/** Sessions of the rule's kind (held or scheduled) in its current period. */
export async function sessionsInPeriod(db: Kysely<Database>, r: CalendarRule, today: string, tz: string) {
  const p = rulePeriod(ruleShape(r), today);
  return listSessions(db, r.org_id, {
    kinds: [r.kind],
    from: zonedInstant(p.start, '00:00', tz).toISOString(),
    to: zonedInstant(addDays(p.end, 1), '00:00', tz).toISOString(),
  });
}

export async function calendarView(db: Kysely<Database>, orgId: number, now: Date, tz: string, calendar: WorkCalendar) {
  await ensureRules(db, orgId, now.toISOString());
  const today = localDate(now, tz);
  const out = [];
  for (const r of await listRules(db, orgId)) {
    const shape = ruleShape(r);
    const p = rulePeriod(shape, today);
    const past = await listSessions(db, orgId, { kinds: [r.kind], to: now.toISOString() });
    const last = past.at(-1);
    const inPeriod = await sessionsInPeriod(db, r, today, tz);
    let nextDue: string;
    if (r.fixed_day) {
      const thisMonth = themeDayOf(today, r.fixed_day, calendar);
      nextDue =
        inPeriod.length > 0 || thisMonth < today ? themeDayOf(addDays(p.end, 1), r.fixed_day, calendar) : thisMonth;
    } else if (inPeriod.length > 0) {
      nextDue = `${rulePeriod(shape, addDays(p.end, 1)).end} 前`;
    } else {
      nextDue = `${p.end} 前（本期尚未安排）`;
    }
    const window = shape.window
      ? `上半年 ${shape.window.H1?.join('至') ?? ''}，下半年 ${shape.window.H2?.join('至') ?? ''}`
      : '';
    out.push({
      key: r.key,
      name: r.name,
      frequency: FREQUENCY_LABELS[shape.frequency] ?? r.frequency,
      window,
      lastMet: last ? localDate(new Date(last.start_at), tz) : '无记录',
      nextDue,
      source: citationOf(r.source),
      enabled: r.enabled === 1,
      fixedDay: r.fixed_day,
    });
  }
  return out;
}
