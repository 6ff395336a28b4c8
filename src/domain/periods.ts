/** Calendar periods: quarters, half-years, ISO weeks, with the working-day windows reminders use. */
import { addDays, weekdayOf } from './time.ts';
import type { WorkCalendar } from './workdays.ts';

export interface QuarterWindow {
  /** `2026Q4` */
  key: string;
  start: string;
  end: string;
  /** The first of the quarter's last 5 working days (季季报 window). */
  lastWorkdaysStart: string;
  /** The quarter's last working day. */
  lastWorkday: string;
}

export function quarterWindow(date: string, calendar: WorkCalendar): QuarterWindow {
  const y = Number(date.slice(0, 4));
  const q = Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1;
  const start = `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`;
  const endMonth = q * 3;
  const end = addDays(endMonth === 12 ? `${y + 1}-01-01` : `${y}-${String(endMonth + 1).padStart(2, '0')}-01`, -1);
  const lastWorkday = calendar.onOrBefore(end);
  return { key: `${y}Q${q}`, start, end, lastWorkday, lastWorkdaysStart: calendar.addWorkdays(lastWorkday, -4) };
}

/** ISO week key (`2026-W49`) and its Monday. */
export function isoWeek(date: string): { key: string; monday: string } {
  const wd = weekdayOf(date) || 7;
  const monday = addDays(date, 1 - wd);
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const jan4 = `${year}-01-04`;
  const week1Monday = addDays(jan4, 1 - (weekdayOf(jan4) || 7));
  const week = Math.round((Date.parse(monday) - Date.parse(week1Monday)) / (7 * 86_400_000)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday };
}

/** The first working day of the ISO week containing `date` (the weekly digest's day). */
export function firstWorkdayOfWeek(date: string, calendar: WorkCalendar): string | undefined {
  const { monday } = isoWeek(date);
  for (let i = 0; i < 7; i++) {
    const d = addDays(monday, i);
    if (calendar.isWorkday(d)) return d;
  }
  return undefined;
}

/** First working day of the month containing `date` (月月提). */
export function firstWorkdayOfMonth(date: string, calendar: WorkCalendar): string {
  return calendar.onOrAfter(`${date.slice(0, 7)}-01`);
}

export interface HalfYear {
  key: string;
  start: string;
  end: string;
}

export function halfYearOf(date: string): HalfYear {
  const y = date.slice(0, 4);
  return Number(date.slice(5, 7)) <= 6
    ? { key: `${y}H1`, start: `${y}-01-01`, end: `${y}-06-30` }
    : { key: `${y}H2`, start: `${y}-07-01`, end: `${y}-12-31` };
}
