/**
 * The statutory holidays of a year without an official table, estimated: 元旦 1 January, 劳动节 1–2 May
 * and 国庆节 1–3 October are fixed; 春节 (除夕 to 初三), 端午节 (五月初五) and 中秋节 (八月十五) come from the
 * lunar calendar and 清明节 from the solar terms, all converted by `chinese-days`. Only the statutory days
 * themselves (《全国年节及纪念日放假办法》, 2024 revision): the State Council's 调休 cannot be guessed.
 * docs: DOMAIN.md, "The work calendar".
 */
import chineseDays from 'chinese-days';
import { addDays } from './time.ts';

/** A holiday as a run of days off; `estimated` when no official table covers its year. */
export interface PlannedHoliday {
  name: string;
  start: string;
  end: string;
  estimated: boolean;
}

/** The full names used in reminders (the package says 中秋, 端午, 清明). docs: DOMAIN.md, "Words". */
const FULL_NAMES: Record<string, string> = {
  中秋: '中秋节',
  端午: '端午节',
  清明: '清明节',
  国庆: '国庆节',
  五一: '劳动节',
};

export function holidayDisplayName(name: string): string {
  return FULL_NAMES[name] ?? name;
}

const lunarToSolar = (year: number, month: number, day: number): string =>
  chineseDays.getSolarDateFromLunar(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).date;

const cache = new Map<number, PlannedHoliday[]>();

/** The estimated holidays of `year`, in date order. */
export function estimateHolidays(year: number): PlannedHoliday[] {
  let list = cache.get(year);
  if (!list) {
    const run = (name: string, start: string, days: number): PlannedHoliday => ({
      name,
      start,
      end: addDays(start, days - 1),
      estimated: true,
    });
    const springFestival = lunarToSolar(year, 1, 1);
    list = [
      run('元旦', `${year}-01-01`, 1),
      run('春节', addDays(springFestival, -1), 4),
      run('清明节', chineseDays.getSolarTermDate(year, 4, 'pure_brightness'), 1),
      run('劳动节', `${year}-05-01`, 2),
      run('端午节', lunarToSolar(year, 5, 5), 1),
      run('中秋节', lunarToSolar(year, 8, 15), 1),
      run('国庆节', `${year}-10-01`, 3),
    ].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    cache.set(year, list);
  }
  return list;
}

/** The estimated holiday a date falls in, if any. */
export function estimatedHolidayOn(date: string): string | undefined {
  const year = Number(date.slice(0, 4));
  return estimateHolidays(year).find((h) => h.start <= date && date <= h.end)?.name;
}

const ORDER = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/**
 * Merges holidays that start within `days` of each other (中秋节 and 国庆节) into one, named
 * 「中秋节、国庆节」, so one reminder goes out for both. Input in date order.
 */
export function combineNearbyHolidays(list: readonly PlannedHoliday[], days = 7): PlannedHoliday[] {
  const out: PlannedHoliday[] = [];
  for (const h of list) {
    const last = out[out.length - 1];
    if (last && h.start <= addDays(last.start, days)) {
      last.name = [...last.name.split('、'), h.name].sort((a, b) => rank(a) - rank(b)).join('、');
      if (h.end > last.end) last.end = h.end;
      last.estimated = last.estimated || h.estimated;
    } else out.push({ ...h });
  }
  return out;
}

/** 清明节 is a day of remembrance: its reminder is about 文明祭扫, never the festive template. */
export function isRemembranceDay(name: string): boolean {
  return name === '清明节';
}
