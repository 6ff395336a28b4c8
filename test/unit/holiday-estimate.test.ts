// Holidays without a table (src/domain/holiday-estimate.ts, src/domain/workdays.ts): the estimated
// 2027 calendar (元旦, 劳动节, 国庆节 fixed; 春节, 端午节, 中秋节 lunar; 清明节 solar term), weekends off;
// two holidays within a week combine into one reminder (中秋节、国庆节); the 清明节 reminder is about
// 文明祭扫, not the festive template; the estimated card is marked 预计; no nudge on 1 January.
import { describe, expect, it } from 'vitest';
import { buildHolidayReminderCard, buildHolidayTableMissingCard } from '../../src/cards/notice-cards.ts';
import { combineNearbyHolidays, estimateHolidays, holidayDisplayName } from '../../src/domain/holiday-estimate.ts';
import { mayNudge } from '../../src/domain/nudge-window.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { DEFAULT_HOLIDAY_TEMPLATE } from '../../src/services/holiday-reminder.ts';

const bj = (date: string, time = '09:30') => new Date(`${date}T${time}:00+08:00`);
const runs = (list: { name: string; start: string; end: string }[]) =>
  Object.fromEntries(list.map((h) => [h.name, [h.start, h.end]]));

describe('the estimated calendar of a year without a table', () => {
  it('estimates 2027: fixed dates, the lunar calendar and the solar terms', () => {
    const list = estimateHolidays(2027);
    expect(runs(list)).toEqual({
      元旦: ['2027-01-01', '2027-01-01'],
      春节: ['2027-02-05', '2027-02-08'], // 除夕 to 初三; 正月初一 is 6 February 2027
      清明节: ['2027-04-05', '2027-04-05'],
      劳动节: ['2027-05-01', '2027-05-02'],
      端午节: ['2027-06-09', '2027-06-09'],
      中秋节: ['2027-09-15', '2027-09-15'],
      国庆节: ['2027-10-01', '2027-10-03'],
    });
    expect(list.every((h) => h.estimated)).toBe(true);
    expect(list.map((h) => h.start)).toEqual([...list.map((h) => h.start)].sort());
  });

  it('lists them as the planned holidays of 2027, and the table for 2026', () => {
    const calendar = new WorkCalendar();
    expect(calendar.hasTable(2027)).toBe(false);
    expect(calendar.plannedHolidays(2027).map((h) => h.name)).toEqual([
      '元旦',
      '春节',
      '清明节',
      '劳动节',
      '端午节',
      '中秋节',
      '国庆节',
    ]);
    const y2026 = calendar.plannedHolidays(2026);
    expect(y2026.every((h) => !h.estimated)).toBe(true);
    expect(runs(y2026).国庆节).toEqual(['2026-10-01', '2026-10-07']);
  });

  const weekdaysOnly = new WorkCalendar([], { estimateMissingYears: false });
  const estimating = new WorkCalendar([], { estimateMissingYears: true });
  const cases: { date: string; plain: boolean; estimated: boolean; why: string }[] = [
    { date: '2027-01-02', plain: false, estimated: false, why: 'Saturday' },
    { date: '2027-01-03', plain: false, estimated: false, why: 'Sunday' },
    { date: '2027-01-04', plain: true, estimated: true, why: 'Monday' },
    { date: '2027-01-01', plain: true, estimated: false, why: '元旦 (Friday)' },
    { date: '2027-02-05', plain: true, estimated: false, why: '除夕 (Friday)' },
    { date: '2027-02-08', plain: true, estimated: false, why: '初三 (Monday)' },
    { date: '2027-02-09', plain: true, estimated: true, why: 'after 春节' },
    { date: '2027-04-05', plain: true, estimated: false, why: '清明节 (Monday)' },
    { date: '2027-06-09', plain: true, estimated: false, why: '端午节 (Wednesday)' },
    { date: '2027-09-15', plain: true, estimated: false, why: '中秋节 (Wednesday)' },
    { date: '2027-10-01', plain: true, estimated: false, why: '国庆节 (Friday)' },
  ];
  it.each(cases)('$date ($why): weekends off; estimated holidays off when estimating', (c) => {
    expect(weekdaysOnly.isWorkday(c.date)).toBe(c.plain);
    expect(estimating.isWorkday(c.date)).toBe(c.estimated);
  });

  it('names the estimated holidays only when estimating, and an imported table wins', () => {
    expect(weekdaysOnly.holidayName('2027-02-06')).toBeUndefined();
    expect(estimating.holidayName('2027-02-06')).toBe('春节');
    expect(estimating.isHoliday('2027-10-02')).toBe(true);
    expect(estimating.addWorkdays('2027-01-04', -1)).toBe('2026-12-31');
    const imported = new WorkCalendar([{ date: '2027-01-01', kind: 'holiday', name: '元旦' }], {
      estimateMissingYears: true,
    });
    expect(imported.isWorkday('2027-02-05')).toBe(true);
    expect(imported.plannedHolidays(2027)).toEqual([
      { name: '元旦', start: '2027-01-01', end: '2027-01-01', estimated: false },
    ]);
  });
});

describe('one reminder for two holidays within a week', () => {
  it('combines 中秋节 and 国庆节 of 2026 (table) into one', () => {
    const list = new WorkCalendar().plannedHolidays(2026).map((h) => ({ ...h, name: holidayDisplayName(h.name) }));
    const combined = combineNearbyHolidays(list);
    expect(combined.filter((h) => h.name.includes('国庆'))).toEqual([
      { name: '中秋节、国庆节', start: '2026-09-25', end: '2026-10-07', estimated: false },
    ]);
    expect(combined.some((h) => h.name === '中秋节')).toBe(false);
    expect(combined.map((h) => h.name)).toContain('端午节');
  });

  it('combines them in an estimated year too (2028: 中秋节 on 3 October), and leaves 2027 apart', () => {
    expect(combineNearbyHolidays(estimateHolidays(2028)).filter((h) => h.name.includes('国庆'))).toEqual([
      { name: '中秋节、国庆节', start: '2028-10-01', end: '2028-10-03', estimated: true },
    ]);
    const y2027 = combineNearbyHolidays(estimateHolidays(2027)).map((h) => h.name);
    expect(y2027).toContain('中秋节');
    expect(y2027).toContain('国庆节');
  });
});

describe('the reminder cards', () => {
  const text = (c: unknown) => JSON.stringify(c);

  it('says 中秋节将至, not 中秋将至, and one card for 中秋节、国庆节', () => {
    const card = buildHolidayReminderCard({
      template: DEFAULT_HOLIDAY_TEMPLATE,
      holiday: '中秋节、国庆节',
      start: '2026-09-25',
      end: '2026-10-07',
    });
    expect(text(card)).toContain('中秋节、国庆节将至');
    expect(text(card)).toContain('2026-09-25 至 2026-10-07 放假');
    expect(text(card)).not.toContain('预计');
    expect(holidayDisplayName('中秋')).toBe('中秋节');
  });

  it('gives 清明节 a 文明祭扫 reminder, never the festive template', () => {
    const card = buildHolidayReminderCard({
      template: DEFAULT_HOLIDAY_TEMPLATE,
      holiday: '清明节',
      start: '2027-04-05',
      end: '2027-04-05',
      estimated: true,
    });
    expect(text(card)).toContain('文明祭扫');
    expect(text(card)).toContain('廉洁过节');
    expect(text(card)).not.toContain('风清气正的节日');
    expect(text(card)).not.toContain('婚丧喜庆');
    expect(text(card)).toContain('预计 2027-04-05 放假');
  });

  it('tells the operators the command, and the officials only what it means for them', () => {
    expect(text(buildHolidayTableMissingCard(2027, 'operator'))).toContain('npm run cli -- holidays import');
    const official = text(buildHolidayTableMissingCard(2027, 'official'));
    expect(official).not.toContain('npm');
    expect(official).not.toContain('README');
    expect(official).toContain('预计');
  });
});

describe('no nudge on 1 January', () => {
  const cases = [
    {
      calendar: new WorkCalendar([], { estimateMissingYears: false }),
      year: 2027,
      why: 'without a table, not estimating',
    },
    { calendar: new WorkCalendar([], { estimateMissingYears: true }), year: 2027, why: 'estimating' },
    { calendar: new WorkCalendar(), year: 2026, why: 'with the package table' },
  ];
  it.each(cases)('$year-01-01 $why', ({ calendar, year }) => {
    expect(mayNudge(bj(`${year}-01-01`), 'Asia/Shanghai', calendar)).toBe(false);
    // 03:00 UTC is 11:00 on 1 January in Beijing: the local date decides.
    expect(mayNudge(new Date(`${year}-01-01T03:00:00Z`), 'Asia/Shanghai', calendar)).toBe(false);
  });

  it('nudges again on the next working day, and on 31 December', () => {
    const calendar = new WorkCalendar();
    expect(mayNudge(bj('2027-01-04'), 'Asia/Shanghai', calendar)).toBe(true);
    expect(mayNudge(bj('2026-12-31'), 'Asia/Shanghai', calendar)).toBe(true);
    // 09:30 in Beijing on 1 January is 01:30 UTC; 31 December 20:00 UTC is already 1 January in Beijing.
    expect(
      mayNudge(new Date('2026-12-31T20:00:00Z'), 'Asia/Shanghai', calendar, { start: '23:00', end: '03:00' }),
    ).toBe(false);
  });
});
