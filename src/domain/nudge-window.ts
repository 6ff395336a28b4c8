/** When a nudge may go out: on a working day and outside the org's quiet hours. */
import { localDate, localParts } from './time.ts';
import type { WorkCalendar } from './workdays.ts';

export interface QuietHours {
  /** `HH:mm`, local time; the quiet period runs from `start` to `end` (over midnight when start > end). */
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '20:00', end: '08:00' };

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

export function inQuietHours(now: Date, tz: string, quiet: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  const p = localParts(now, tz);
  const t = p.hour * 60 + p.minute;
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/**
 * True when a reminder may be posted now: a working day (调休 included) outside quiet hours, and never
 * on 1 January (元旦 is a day off every year, with or without that year's table: a missing table must
 * not turn it into the first working day of the month that 月月提 goes out on).
 */
export function mayNudge(
  now: Date,
  tz: string,
  calendar: WorkCalendar,
  quiet: QuietHours = DEFAULT_QUIET_HOURS,
): boolean {
  const today = localDate(now, tz);
  return !today.endsWith('-01-01') && calendar.isWorkday(today) && !inQuietHours(now, tz, quiet);
}

/** Reads an org's quiet hours from its settings, falling back to the default. */
export function quietHoursOf(settings: Record<string, unknown>): QuietHours {
  const q = settings.quietHours as Partial<QuietHours> | undefined;
  const ok = (s: unknown) => typeof s === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
  return q && ok(q.start) && ok(q.end) ? { start: q.start as string, end: q.end as string } : DEFAULT_QUIET_HOURS;
}
