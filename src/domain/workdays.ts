/**
 * The work calendar: statutory holidays and 调休 working days from `chinese-days`, overridden or
 * extended by the operator's table (`holiday_overrides`, filled by `npm run cli -- holidays import`),
 * and Monday–Friday for a year neither covers. For such a year the holidays themselves are still
 * known, estimated (`holiday-estimate.ts`): `plannedHolidays` lists them for the 节前 reminders, and
 * with `estimateMissingYears` they are days off too.
 */
import chineseDays from 'chinese-days';
import { estimatedHolidayOn, estimateHolidays, type PlannedHoliday } from './holiday-estimate.ts';
import { addDays, isValidDate, weekdayOf } from './time.ts';

/** An operator's override day: a day off (holiday) or a 调休 working day. */
export type HolidayKind = 'holiday' | 'workday';

export interface HolidayOverride {
  date: string;
  kind: HolidayKind;
  name: string;
}

/** Where a year's table comes from. */
export type CalendarSource = 'package' | 'override' | 'weekdays';

const packagedYears = new Map<number, boolean>();

/** Whether the installed `chinese-days` has the official table for `year` (it silently guesses otherwise). */
export function packageHasYear(year: number): boolean {
  let has = packagedYears.get(year);
  if (has === undefined) {
    has = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    packagedYears.set(year, has);
  }
  return has;
}

function packagedHolidayName(date: string): string | undefined {
  const detail = chineseDays.getDayDetail(date);
  // e.g. "National Day,国庆节,3"; plain weekdays are named "Monday" etc.
  const parts = detail.name.split(',');
  return parts.length >= 2 ? parts[1] : undefined;
}

export class WorkCalendar {
  private readonly overrides = new Map<string, HolidayOverride>();
  private readonly overrideYears = new Set<number>();
  /**
   * Answers already computed (isWorkday by date, addWorkdays by date and n): the calendar never
   * changes after construction, the package's lookup is slow, and a job asks the same few dates
   * thousands of times (every rule of every org, every step of every item).
   */
  private readonly workdays = new Map<string, boolean>();
  private readonly shifted = new Map<string, string>();

  private readonly estimateMissingYears: boolean;

  /**
   * `estimateMissingYears`: in a year without a table, the estimated statutory holidays are days off
   * (not only weekends) and `holidayName` names them.
   */
  constructor(overrides: readonly HolidayOverride[] = [], o: { estimateMissingYears?: boolean } = {}) {
    this.estimateMissingYears = o.estimateMissingYears ?? true;
    for (const o of overrides) {
      this.overrides.set(o.date, o);
      this.overrideYears.add(Number(o.date.slice(0, 4)));
    }
  }

  sourceFor(year: number): CalendarSource {
    if (this.overrideYears.has(year)) return 'override';
    if (packageHasYear(year)) return 'package';
    return 'weekdays';
  }

  /** True when the year has an official table (packaged or imported), not just the weekday fallback. */
  hasTable(year: number): boolean {
    return this.sourceFor(year) !== 'weekdays';
  }

  isWorkday(date: string): boolean {
    let w = this.workdays.get(date);
    if (w === undefined) {
      w = this.lookUpWorkday(date);
      if (this.workdays.size > 20_000) this.workdays.clear();
      this.workdays.set(date, w);
    }
    return w;
  }

  private lookUpWorkday(date: string): boolean {
    const o = this.overrides.get(date);
    if (o) return o.kind === 'workday';
    const year = Number(date.slice(0, 4));
    if (!this.overrideYears.has(year) && packageHasYear(year)) return chineseDays.isWorkday(date);
    if (this.estimateMissingYears && !this.overrideYears.has(year) && estimatedHolidayOn(date)) return false;
    const wd = weekdayOf(date);
    return wd >= 1 && wd <= 5;
  }

  /** The statutory holiday a date belongs to (元旦, 春节 …), also for its 调休 working days. */
  holidayName(date: string): string | undefined {
    const o = this.overrides.get(date);
    if (o) return o.name;
    const year = Number(date.slice(0, 4));
    if (this.overrideYears.has(year)) return undefined;
    if (!packageHasYear(year)) return this.estimateMissingYears ? estimatedHolidayOn(date) : undefined;
    return packagedHolidayName(date);
  }

  /** True for a statutory day off (not an ordinary weekend). */
  isHoliday(date: string): boolean {
    return !this.isWorkday(date) && this.holidayName(date) !== undefined;
  }

  /** The n-th working day after `date` (n > 0) or before it (n < 0); `date` itself is not counted. */
  addWorkdays(date: string, n: number): string {
    const key = `${date}|${n}`;
    let d = this.shifted.get(key);
    if (d === undefined) {
      d = this.countWorkdays(date, n);
      if (this.shifted.size > 20_000) this.shifted.clear();
      this.shifted.set(key, d);
    }
    return d;
  }

  private countWorkdays(date: string, n: number): string {
    const step = n >= 0 ? 1 : -1;
    let left = Math.abs(n);
    let d = date;
    while (left > 0) {
      d = addDays(d, step);
      if (this.isWorkday(d)) left--;
    }
    return d;
  }

  /** `date` if it is a working day, else the next one. */
  onOrAfter(date: string): string {
    return this.isWorkday(date) ? date : this.addWorkdays(date, 1);
  }

  /** `date` if it is a working day, else the previous one. */
  onOrBefore(date: string): string {
    return this.isWorkday(date) ? date : this.addWorkdays(date, -1);
  }

  /** Working days from `a` to `b`: positive when b is later; counts b, not a. */
  workdaysBetween(a: string, b: string): number {
    if (a === b) return 0;
    const step = a < b ? 1 : -1;
    let n = 0;
    for (let d = a; d !== b; ) {
      d = addDays(d, step);
      if (this.isWorkday(d)) n += step;
    }
    return n;
  }

  /**
   * The statutory holidays of a year as runs of consecutive days off: `{ name, start, end }`.
   * Empty when the year has no table.
   */
  holidays(year: number): { name: string; start: string; end: string }[] {
    if (!this.hasTable(year)) return [];
    return this.tableRuns(year);
  }

  /**
   * The holidays of a year to remind of: the table's runs, or without a table the estimated ones
   * (marked `estimated`), in date order.
   */
  plannedHolidays(year: number): PlannedHoliday[] {
    if (!this.hasTable(year)) return estimateHolidays(year).map((h) => ({ ...h }));
    return this.tableRuns(year).map((h) => ({ ...h, estimated: false }));
  }

  private tableRuns(year: number): { name: string; start: string; end: string }[] {
    const out: { name: string; start: string; end: string }[] = [];
    for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
      if (!this.isHoliday(d)) continue;
      const name = this.holidayName(d) as string;
      const last = out[out.length - 1];
      if (last && last.name === name && addDays(last.end, 1) === d) last.end = d;
      else out.push({ name, start: d, end: d });
    }
    return out;
  }
}

/** Parses the operator's holiday file (format in README, "Holiday tables"). Throws a readable Error. */
export function parseHolidayFile(json: unknown): HolidayOverride[] {
  const bad = (why: string) => new Error(`节假日文件格式不正确：${why}`);
  if (!json || typeof json !== 'object') throw bad('应为 JSON 对象');
  const { year, holidays, workdays } = json as Record<string, unknown>;
  if (typeof year !== 'number' || !Number.isInteger(year)) throw bad('缺少整数字段 year');
  const out: HolidayOverride[] = [];
  const read = (list: unknown, kind: HolidayOverride['kind']) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw bad(`${kind === 'holiday' ? 'holidays' : 'workdays'} 应为数组`);
    for (const entry of list) {
      const { name, dates } = (entry ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string' || !Array.isArray(dates)) throw bad('每项应有 name 和 dates');
      for (const date of dates) {
        if (typeof date !== 'string' || !isValidDate(date) || !date.startsWith(String(year)))
          throw bad(`日期 ${String(date)} 不是 ${year} 年的 YYYY-MM-DD`);
        out.push({ date, kind, name });
      }
    }
  };
  read(holidays, 'holiday');
  read(workdays, 'workday');
  if (!out.some((o) => o.kind === 'holiday')) throw bad('holidays 不能为空');
  return out;
}
