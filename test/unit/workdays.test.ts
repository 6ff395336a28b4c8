// The work calendar (src/domain/workdays.ts) on chinese-days' 2026 table: 春节, 国庆, 中秋 days off and
// 调休 working days; addWorkdays/onOrBefore/onOrAfter/workdaysBetween across 国庆; holiday names and runs;
// the Monday–Friday fallback for 2027 and an operator override table; parseHolidayFile's refusals.
// Time helpers (src/domain/time.ts) at Asia/Shanghai day boundaries, and nudge windows (nudge-window.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIET_HOURS, inQuietHours, mayNudge, quietHoursOf } from '../../src/domain/nudge-window.ts';
import {
  addDays,
  addMonths,
  daysBetween,
  formatLocal,
  isValidDate,
  localDate,
  localParts,
  weekdayOf,
  zonedInstant,
} from '../../src/domain/time.ts';
import { parseHolidayFile, WorkCalendar } from '../../src/domain/workdays.ts';

const TZ = 'Asia/Shanghai';
const calendar = new WorkCalendar();

describe('WorkCalendar on the packaged 2026 table', () => {
  it('has a table for 2026', () => {
    expect(calendar.hasTable(2026)).toBe(true);
    expect(calendar.sourceFor(2026)).toBe('package');
  });

  const days: { date: string; workday: boolean; why: string }[] = [
    { date: '2026-02-13', workday: true, why: '春节前的周五' },
    { date: '2026-02-14', workday: true, why: '春节调休（周六上班）' },
    { date: '2026-02-15', workday: false, why: '春节第一天' },
    { date: '2026-02-17', workday: false, why: '春节（周二）' },
    { date: '2026-02-23', workday: false, why: '春节最后一天（周一）' },
    { date: '2026-02-24', workday: true, why: '春节后上班' },
    { date: '2026-02-28', workday: true, why: '春节调休（周六上班）' },
    { date: '2026-03-01', workday: false, why: '普通周日' },
    { date: '2026-09-20', workday: true, why: '国庆调休（周日上班）' },
    { date: '2026-09-25', workday: false, why: '中秋（周五）' },
    { date: '2026-09-30', workday: true, why: '国庆前一天' },
    { date: '2026-10-01', workday: false, why: '国庆节' },
    { date: '2026-10-05', workday: false, why: '国庆节（周一）' },
    { date: '2026-10-07', workday: false, why: '国庆最后一天' },
    { date: '2026-10-08', workday: true, why: '国庆后上班' },
    { date: '2026-10-10', workday: true, why: '国庆调休（周六上班）' },
    { date: '2026-10-11', workday: false, why: '普通周日' },
  ];
  for (const d of days) {
    it(`${d.date} ${d.why}`, () => expect(calendar.isWorkday(d.date)).toBe(d.workday));
  }

  it('names statutory holidays and their 调休 days, not ordinary weekends', () => {
    expect(calendar.holidayName('2026-10-01')).toBe('国庆节');
    expect(calendar.holidayName('2026-02-15')).toBe('春节');
    expect(calendar.holidayName('2026-09-25')).toBe('中秋');
    expect(calendar.holidayName('2026-02-14')).toBe('春节');
    expect(calendar.holidayName('2026-03-01')).toBeUndefined();
    expect(calendar.holidayName('2026-03-02')).toBeUndefined();
    expect(calendar.isHoliday('2026-10-01')).toBe(true);
    expect(calendar.isHoliday('2026-02-14')).toBe(false);
    expect(calendar.isHoliday('2026-03-01')).toBe(false);
  });

  it('counts working days across 国庆', () => {
    expect(calendar.addWorkdays('2026-10-09', -3)).toBe('2026-09-29');
    expect(calendar.addWorkdays('2026-09-30', 3)).toBe('2026-10-10');
    expect(calendar.addWorkdays('2026-09-30', 1)).toBe('2026-10-08');
    expect(calendar.addWorkdays('2026-10-01', 0)).toBe('2026-10-01');
    expect(calendar.addWorkdays('2026-02-13', 1)).toBe('2026-02-14');
    expect(calendar.addWorkdays('2026-02-14', 1)).toBe('2026-02-24');
  });

  it('moves to the nearest working day', () => {
    expect(calendar.onOrBefore('2026-10-01')).toBe('2026-09-30');
    expect(calendar.onOrBefore('2026-10-08')).toBe('2026-10-08');
    expect(calendar.onOrAfter('2026-10-01')).toBe('2026-10-08');
    expect(calendar.onOrAfter('2026-02-15')).toBe('2026-02-24');
    expect(calendar.onOrBefore('2026-02-22')).toBe('2026-02-14');
  });

  it('counts working days between two dates, signed', () => {
    expect(calendar.workdaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(calendar.workdaysBetween('2026-10-09', '2026-09-30')).toBe(-2);
    expect(calendar.workdaysBetween('2026-09-28', '2026-10-10')).toBe(5);
    expect(calendar.workdaysBetween('2026-10-01', '2026-10-01')).toBe(0);
    expect(calendar.workdaysBetween('2026-02-13', '2026-02-28')).toBe(6);
  });

  it('lists 2026 holidays as runs', () => {
    const runs = calendar.holidays(2026);
    const byName = Object.fromEntries(runs.map((r) => [r.name, [r.start, r.end]]));
    expect(byName).toMatchObject({
      元旦: ['2026-01-01', '2026-01-03'],
      春节: ['2026-02-15', '2026-02-23'],
      劳动节: ['2026-05-01', '2026-05-05'],
      端午: ['2026-06-19', '2026-06-21'],
      中秋: ['2026-09-25', '2026-09-27'],
      国庆节: ['2026-10-01', '2026-10-07'],
    });
    expect(runs.map((r) => r.start)).toEqual([...runs.map((r) => r.start)].sort());
    for (const r of runs) expect(r.start <= r.end).toBe(true);
  });
});

describe('WorkCalendar without a table, and with an override table', () => {
  it('estimates 2027 (no table): the statutory holidays are days off, weekends too', () => {
    expect(calendar.hasTable(2027)).toBe(false);
    expect(calendar.sourceFor(2027)).toBe('weekdays');
    expect(calendar.isWorkday('2027-01-01')).toBe(false);
    expect(calendar.holidayName('2027-01-01')).toBe('元旦');
    expect(calendar.isWorkday('2027-01-02')).toBe(false);
    expect(calendar.isWorkday('2027-01-04')).toBe(true);
    expect(calendar.isWorkday('2027-02-06')).toBe(false);
    expect(calendar.holidays(2027)).toEqual([]);
  });

  it('without estimates, falls back to Monday–Friday for 2027', () => {
    const plain = new WorkCalendar([], { estimateMissingYears: false });
    expect(plain.isWorkday('2027-01-01')).toBe(true);
    expect(plain.isWorkday('2027-01-02')).toBe(false);
    expect(plain.holidayName('2027-01-01')).toBeUndefined();
  });

  const overrides = parseHolidayFile({
    year: 2027,
    holidays: [{ name: '元旦', dates: ['2027-01-01'] }],
    workdays: [{ name: '春节调休', dates: ['2027-02-06'] }],
  });
  const withTable = new WorkCalendar(overrides);

  it('reads the override file', () => {
    expect(overrides).toEqual([
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-02-06', kind: 'workday', name: '春节调休' },
    ]);
  });

  it('uses the override table for its year', () => {
    expect(withTable.sourceFor(2027)).toBe('override');
    expect(withTable.hasTable(2027)).toBe(true);
    expect(withTable.isWorkday('2027-01-01')).toBe(false);
    expect(withTable.isHoliday('2027-01-01')).toBe(true);
    expect(withTable.holidayName('2027-01-01')).toBe('元旦');
    expect(weekdayOf('2027-02-06')).toBe(6);
    expect(withTable.isWorkday('2027-02-06')).toBe(true);
    expect(withTable.isWorkday('2027-01-04')).toBe(true);
    expect(withTable.isWorkday('2027-01-03')).toBe(false);
    expect(withTable.holidays(2027)).toEqual([{ name: '元旦', start: '2027-01-01', end: '2027-01-01' }]);
    expect(withTable.addWorkdays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('leaves other years to the package', () => {
    expect(withTable.sourceFor(2026)).toBe('package');
    expect(withTable.isWorkday('2026-10-01')).toBe(false);
  });

  const bad: { why: string; input: unknown; says: string }[] = [
    { why: 'not an object', input: '2027', says: 'JSON 对象' },
    { why: 'null', input: null, says: 'JSON 对象' },
    { why: 'no year', input: { holidays: [{ name: '元旦', dates: ['2027-01-01'] }] }, says: 'year' },
    { why: 'year not integer', input: { year: 2027.5, holidays: [] }, says: 'year' },
    { why: 'holidays not array', input: { year: 2027, holidays: {} }, says: 'holidays 应为数组' },
    { why: 'workdays not array', input: { year: 2027, holidays: [], workdays: 'x' }, says: 'workdays 应为数组' },
    { why: 'entry without name', input: { year: 2027, holidays: [{ dates: ['2027-01-01'] }] }, says: 'name 和 dates' },
    {
      why: 'date of another year',
      input: { year: 2027, holidays: [{ name: '元旦', dates: ['2026-01-01'] }] },
      says: '2026-01-01',
    },
    {
      why: 'date format',
      input: { year: 2027, holidays: [{ name: '元旦', dates: ['2027/01/01'] }] },
      says: 'YYYY-MM-DD',
    },
    {
      why: 'impossible date',
      input: { year: 2027, holidays: [{ name: '元旦', dates: ['2027-02-30'] }] },
      says: '2027-02-30',
    },
    {
      why: 'no holidays',
      input: { year: 2027, workdays: [{ name: '调休', dates: ['2027-02-06'] }] },
      says: 'holidays 不能为空',
    },
  ];
  for (const b of bad) {
    it(`parseHolidayFile refuses ${b.why}`, () => {
      expect(() => parseHolidayFile(b.input)).toThrow(/^节假日文件格式不正确：/);
      expect(() => parseHolidayFile(b.input)).toThrow(b.says);
    });
  }
});

describe('time helpers', () => {
  const boundaries: { instant: string; date: string; hhmm: string }[] = [
    { instant: '2026-09-30T15:59:00Z', date: '2026-09-30', hhmm: '23:59' },
    { instant: '2026-09-30T16:00:00Z', date: '2026-10-01', hhmm: '00:00' },
    { instant: '2026-12-31T15:59:59Z', date: '2026-12-31', hhmm: '23:59' },
    { instant: '2026-12-31T16:00:00Z', date: '2027-01-01', hhmm: '00:00' },
    { instant: '2026-02-28T16:00:00Z', date: '2026-03-01', hhmm: '00:00' },
  ];
  for (const b of boundaries) {
    it(`${b.instant} is ${b.date} ${b.hhmm} in Shanghai`, () => {
      expect(localDate(new Date(b.instant), TZ)).toBe(b.date);
      expect(formatLocal(new Date(b.instant), TZ)).toBe(`${b.date} ${b.hhmm}`);
    });
  }

  it('reads the weekday in the zone, not in UTC', () => {
    // Friday 2026-10-09 16:30 UTC is Saturday 00:30 in Shanghai.
    expect(localParts(new Date('2026-10-09T16:30:00Z'), TZ)).toMatchObject({ weekday: 6, hour: 0, minute: 30 });
  });

  it('finds the instant of a wall-clock time', () => {
    expect(zonedInstant('2026-12-01', '09:30', TZ).toISOString()).toBe('2026-12-01T01:30:00.000Z');
    expect(zonedInstant('2026-10-01', '00:00', TZ).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(zonedInstant('2026-03-08', '09:00', 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedInstant('2026-07-01', '12:00', 'UTC').toISOString()).toBe('2026-07-01T12:00:00.000Z');
  });

  it('adds months, clamping to the last day', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-11-30', 2)).toBe('2027-01-30');
    expect(addMonths('2026-05-15', 12)).toBe('2027-05-15');
  });

  it('adds days and counts them across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-09-30', '2026-10-08')).toBe(8);
    expect(daysBetween('2026-10-08', '2026-09-30')).toBe(-8);
  });

  it('validates calendar dates', () => {
    for (const ok of ['2026-02-28', '2028-02-29', '2026-12-31']) expect(isValidDate(ok), ok).toBe(true);
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-1-1',
      '2026/01/01',
      '20260101',
      '',
      '二〇二六年',
    ])
      expect(isValidDate(bad), bad).toBe(false);
  });
});

describe('nudge windows', () => {
  const at = (local: string) => new Date(`${local}:00+08:00`);

  const quiet: { local: string; quiet: boolean }[] = [
    { local: '2026-10-08T07:59', quiet: true },
    { local: '2026-10-08T08:00', quiet: false },
    { local: '2026-10-08T19:59', quiet: false },
    { local: '2026-10-08T20:00', quiet: true },
    { local: '2026-10-08T23:59', quiet: true },
    { local: '2026-10-09T00:00', quiet: true },
  ];
  for (const q of quiet) {
    it(`${q.local} is ${q.quiet ? '' : 'not '}in the default quiet hours`, () => {
      expect(inQuietHours(at(q.local), TZ)).toBe(q.quiet);
    });
  }

  it('handles a daytime quiet period and an empty one', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(inQuietHours(at('2026-10-08T12:30'), TZ, lunch)).toBe(true);
    expect(inQuietHours(at('2026-10-08T13:30'), TZ, lunch)).toBe(false);
    expect(inQuietHours(at('2026-10-08T03:00'), TZ, { start: '08:00', end: '08:00' })).toBe(false);
  });

  it('nudges only on working days outside quiet hours', () => {
    expect(mayNudge(at('2026-10-08T10:00'), TZ, calendar)).toBe(true);
    expect(mayNudge(at('2026-10-08T21:00'), TZ, calendar)).toBe(false);
    expect(mayNudge(at('2026-10-02T10:00'), TZ, calendar)).toBe(false);
    expect(mayNudge(at('2026-03-07T10:00'), TZ, calendar)).toBe(false);
    expect(mayNudge(at('2026-10-10T10:00'), TZ, calendar)).toBe(true);
    expect(mayNudge(at('2026-02-14T10:00'), TZ, calendar)).toBe(true);
  });

  it('reads quiet hours from org settings, falling back on bad values', () => {
    expect(quietHoursOf({ quietHours: { start: '21:30', end: '07:00' } })).toEqual({ start: '21:30', end: '07:00' });
    const bad: Record<string, unknown>[] = [
      {},
      { quietHours: null },
      { quietHours: 'always' },
      { quietHours: { start: '25:00', end: '07:00' } },
      { quietHours: { start: '21:30' } },
      { quietHours: { start: '9:00', end: '18:00' } },
      { quietHours: { start: 2100, end: 700 } },
    ];
    for (const s of bad) expect(quietHoursOf(s), JSON.stringify(s)).toEqual(DEFAULT_QUIET_HOURS);
  });
});
