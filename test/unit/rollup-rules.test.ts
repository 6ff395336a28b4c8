// The roll-up's pure rules (src/features/rollup/rules.ts): a rule's periods whose deadline fell in the
// last twelve months (so in January December, the fourth quarter and last year's 组织生活会 count; on
// 2 December nothing of December yet), met only by a held meeting inside the period (a windowed rule:
// inside its window; a yearly one as the report counts a year, a 组织生活会 of January–February for the
// year before), periods before the org began not counted; each measure's colour at its thresholds and
// the overall colour the worst of them; rows sorted red first and the most behind first; the trend of
// cycles due and met over the twelve months before this one; items 下发 from above counted (finished as
// the duties feature judged each copy) and yellow only for a copy still without an owner past its due
// date (an overdue copy's task is already a 任务逾期, not counted twice).
import { describe, expect, it } from 'vitest';
import { type DefaultRule, rulePeriod } from '../../src/features/meetings/model.ts';
import { countsForYear } from '../../src/features/report/rules.ts';
import {
  attendanceColour,
  type BranchFacts,
  branchRow,
  type CycleResult,
  type IssuedCopy,
  issuedRate,
  lookbackFrom,
  monthlyTrend,
  periodWords,
  RED_RECT_DAYS,
  type RollupRule,
  type RulePeriod,
  ruleCycles,
  sortRows,
} from '../../src/features/rollup/rules.ts';

type TestRule = RollupRule & Pick<DefaultRule, 'frequency' | 'window'>;

const monthly: TestRule = {
  key: 'committee_meeting',
  name: '支部委员会会议',
  frequency: 'month',
  window: null,
};
const quarterly: TestRule = {
  key: 'general_meeting',
  name: '支部党员大会',
  frequency: 'quarter',
  window: null,
};
const special: TestRule = {
  key: 'special_meeting',
  name: '全面从严治党专题会议',
  frequency: 'half_year',
  window: { H1: ['01-01', '03-31'], H2: ['07-01', '09-30'] },
};

const facts = (o: Partial<BranchFacts> = {}): BranchFacts => ({
  orgId: 1,
  name: '第一党支部',
  cycles: [],
  rects: { overdue: 0, maxDaysLate: 0 },
  tasks: { overdue: 0 },
  attendance: null,
  issued: [],
  ...o,
});
const copy = (status: string, finished: boolean, unassignedLate = false): IssuedCopy => ({
  seq: 1,
  title: '开展岗位廉政风险点排查',
  status,
  finished,
  unassignedLate,
});
const lifeMeeting: TestRule = { key: 'life_meeting', name: '组织生活会', frequency: 'year', window: null };

/**
 * The periods of a test rule as meetings/model.ts says, a yearly rule's year as the report counts it
 * (what compute.ts hands in).
 */
const periodsOf = (r: TestRule, held: string[], since: string, today: string) =>
  ruleCycles(
    r,
    (d) => rulePeriod(r, d),
    held,
    since,
    today,
    r.frequency === 'year'
      ? (date: string, p: RulePeriod) => countsForYear({ kind: r.key, date }, Number(p.key))
      : undefined,
  );
/** Every month of 2026 but December: the 15th. */
const heldMonthly = Array.from({ length: 11 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}-15`);
const cycle = (met: boolean, end = '2026-03-31'): CycleResult => ({ rule: 'x', name: 'x', period: '2026Q1', end, met });

describe('ruleCycles', () => {
  it('counts the months that ended, each met only by a meeting held inside it', () => {
    const got = periodsOf(monthly, ['2026-01-20', '2026-03-05', '2026-05-31'], '2026-01-01', '2026-05-31');
    // May has not ended on its last day.
    expect(got.map((c) => [c.period, c.met])).toEqual([
      ['2026-01', true],
      ['2026-02', false],
      ['2026-03', true],
      ['2026-04', false],
    ]);
  });
  it('leaves out the periods that ended before the org began using the bot', () => {
    const got = periodsOf(monthly, [], '2026-03-10', '2026-06-15');
    expect(got.map((c) => c.period)).toEqual(['2026-03', '2026-04', '2026-05']);
  });
  it('judges a windowed rule by its window: a 专题会议 in May does not meet the first half-year', () => {
    expect(periodsOf(special, ['2026-05-10'], '2026-01-01', '2026-04-01').map((c) => [c.period, c.met])).toEqual([
      ['2026H1', false],
    ]);
    expect(periodsOf(special, ['2026-03-31'], '2026-01-01', '2026-04-01').map((c) => c.met)).toEqual([true]);
    // The window closed before the period's end: counted as soon as it closed.
    expect(periodsOf(special, [], '2026-01-01', '2026-03-31')).toEqual([]);
  });
  it('in January still counts December and last year: a 支部 that held neither shows both missed', () => {
    const since = '2026-01-01';
    const committee = periodsOf(monthly, heldMonthly, since, '2027-01-10');
    expect(committee.map((c) => c.period)).toEqual(heldMonthly.map((d) => d.slice(0, 7)).concat('2026-12'));
    expect(committee.filter((c) => !c.met).map((c) => [c.period, c.end])).toEqual([['2026-12', '2026-12-31']]);
    expect(periodsOf(lifeMeeting, [], since, '2027-01-10').map((c) => [c.period, c.met])).toEqual([['2026', false]]);
    expect(
      periodsOf(quarterly, ['2026-02-01', '2026-05-01', '2026-08-01'], since, '2027-01-10').map((c) => [
        c.period,
        c.met,
      ]),
    ).toEqual([
      ['2026Q1', true],
      ['2026Q2', true],
      ['2026Q3', true],
      ['2026Q4', false],
    ]);
    // Twelve months back and no further: in June 2027, 2026's months from June on and its year.
    const june = periodsOf(monthly, [], since, '2027-06-10').map((c) => c.period);
    expect([june.length, june[0], june.at(-1)]).toEqual([12, '2026-06', '2027-05']);
    expect(periodsOf(lifeMeeting, [], since, '2027-06-10').map((c) => c.period)).toEqual(['2026']);
    expect(periodsOf(lifeMeeting, [], since, '2028-01-01').map((c) => c.period)).toEqual(['2027']);
  });
  it('counts a 组织生活会 held in January–February for the year before, as the report does', () => {
    const got = periodsOf(lifeMeeting, ['2027-01-08'], '2026-01-01', '2027-01-10');
    expect(got).toEqual([{ rule: 'life_meeting', name: '组织生活会', period: '2026', end: '2026-12-31', met: true }]);
    expect(periodsOf(lifeMeeting, ['2026-06-20'], '2026-01-01', '2027-03-10').map((c) => c.met)).toEqual([true]);
    // March is too late for the year before; and a monthly rule is not stretched into the next month.
    expect(periodsOf(lifeMeeting, ['2027-03-01'], '2026-01-01', '2027-03-10').map((c) => c.met)).toEqual([false]);
    expect(periodsOf(monthly, ['2027-01-02'], '2026-12-01', '2027-01-10').map((c) => c.met)).toEqual([false]);
  });
  it('counts nothing of December on 2 December, and no year before it is over', () => {
    const today = '2026-12-02';
    const committee = periodsOf(monthly, [], '2025-01-01', today);
    // Twelve months of deadlines: December 2025 to November 2026.
    expect(committee.map((c) => c.period)).toEqual([
      '2025-12',
      ...Array.from({ length: 11 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`),
    ]);
    expect(periodsOf(lifeMeeting, [], '2025-01-01', today).map((c) => c.period)).toEqual(['2025']);
    expect(periodsOf(quarterly, [], '2025-01-01', today).map((c) => c.period)).toEqual([
      '2025Q4',
      '2026Q1',
      '2026Q2',
      '2026Q3',
    ]);
    expect(lookbackFrom(today)).toBe('2025-12-02');
    // The last day of a month: that month not yet, the same month a year before still.
    expect(periodsOf(monthly, [], '2025-01-01', '2026-12-31').map((c) => c.period)).toEqual(
      committee.map((c) => c.period),
    );
  });
  it('counts quarters by their end', () => {
    expect(periodsOf(quarterly, ['2026-02-01'], '2026-01-01', '2026-12-02').map((c) => [c.period, c.met])).toEqual([
      ['2026Q1', true],
      ['2026Q2', false],
      ['2026Q3', false],
    ]);
  });
});

describe('colours', () => {
  it('is green with nothing wrong, and without any study held', () => {
    const r = branchRow(facts());
    expect(r.colour).toBe('green');
    expect(r.attendance).toBeNull();
    expect(r.completion).toBeNull();
  });
  it('turns red for one missed cycle', () => {
    const r = branchRow(facts({ cycles: [cycle(true), cycle(false)] }));
    expect([r.colour, r.colours.cycles, r.missed, r.required, r.met, r.completion]).toEqual([
      'red',
      'red',
      1,
      2,
      1,
      50,
    ]);
  });
  it('turns a late rectification yellow, and red past the threshold', () => {
    expect(branchRow(facts({ rects: { overdue: 2, maxDaysLate: RED_RECT_DAYS } })).colour).toBe('yellow');
    expect(branchRow(facts({ rects: { overdue: 1, maxDaysLate: RED_RECT_DAYS + 1 } })).colour).toBe('red');
  });
  it('turns an overdue task yellow', () => {
    const r = branchRow(facts({ tasks: { overdue: 1 } }));
    expect([r.colour, r.colours.tasks]).toEqual(['yellow', 'yellow']);
  });
  it('colours study attendance: under 60% red, under 80% yellow', () => {
    expect(attendanceColour(59)).toBe('red');
    expect(attendanceColour(60)).toBe('yellow');
    expect(attendanceColour(79)).toBe('yellow');
    expect(attendanceColour(80)).toBe('green');
    expect(branchRow(facts({ attendance: 70 })).colour).toBe('yellow');
    expect(branchRow(facts({ attendance: 50 })).colour).toBe('red');
  });
});

describe('上级下发', () => {
  it('counts the copies and those finished; nothing 下发 has no rate', () => {
    const r = branchRow(
      facts({ issued: [copy('已完成（已验收）', true), copy('已完成', true), copy('遇到困难', false)] }),
    );
    expect(r.issued).toEqual({ total: 3, done: 2 });
    expect(issuedRate(r.issued)).toBe(66);
    expect(issuedRate(branchRow(facts()).issued)).toBeNull();
    expect(branchRow(facts()).issued).toEqual({ total: 0, done: 0 });
  });
  it('leaves an unfinished or overdue copy to the task measures: its colour stays green', () => {
    // The overdue copy's task is one of the 支部's overdue tasks (compute.ts counts it there).
    const r = branchRow(facts({ issued: [copy('逾期', false), copy('进行中', false)], tasks: { overdue: 1 } }));
    expect([r.colours.issued, r.colours.tasks, r.colour, r.tasksOverdue]).toEqual(['green', 'yellow', 'yellow', 1]);
    expect(branchRow(facts({ issued: [copy('未指定责任人', false)] })).colour).toBe('green');
  });
  it('turns yellow for a copy still without an owner past its due date', () => {
    const r = branchRow(facts({ issued: [copy('已完成', true), copy('未指定责任人', false, true)] }));
    expect([r.colours.issued, r.colour]).toEqual(['yellow', 'yellow']);
  });
  it('puts the 支部 with more copies unfinished first within a colour', () => {
    const rows = sortRows([
      branchRow(facts({ orgId: 1, name: '甲', issued: [copy('已完成', true)] })),
      branchRow(facts({ orgId: 2, name: '乙', issued: [copy('进行中', false)] })),
    ]);
    expect(rows.map((r) => r.orgId)).toEqual([2, 1]);
  });
});

describe('sortRows and the trend', () => {
  it('puts red first, the most behind first within a colour, then by name', () => {
    const rows = sortRows([
      branchRow(facts({ orgId: 1, name: '甲' })),
      branchRow(facts({ orgId: 2, name: '乙', tasks: { overdue: 1 } })),
      branchRow(facts({ orgId: 3, name: '丙', cycles: [cycle(false)] })),
      branchRow(facts({ orgId: 4, name: '丁', cycles: [cycle(false), cycle(false)] })),
    ]);
    expect(rows.map((r) => r.orgId)).toEqual([4, 3, 2, 1]);
  });
  it('counts the cycles due and met by the month they ended in, over the twelve months before this one', () => {
    const trend = monthlyTrend(
      [
        cycle(true, '2026-01-31'),
        cycle(false, '2026-01-31'),
        cycle(true, '2026-03-31'),
        cycle(false, '2025-12-31'),
        // Before the twelve months, and in this month (a window closing mid-month): not on the chart.
        cycle(false, '2025-03-31'),
        cycle(false, '2026-04-05'),
      ],
      '2026-04-10',
    );
    expect(trend.map((m) => m.month)).toEqual([
      ...['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12'],
      ...['2026-01', '2026-02', '2026-03'],
    ]);
    expect(trend.filter((m) => m.required > 0)).toEqual([
      { month: '2025-12', required: 1, met: 0 },
      { month: '2026-01', required: 2, met: 1 },
      { month: '2026-03', required: 1, met: 1 },
    ]);
  });
  it('says a period in words', () => {
    expect(['2026-03', '2026Q2', '2026H1', '2026'].map(periodWords)).toEqual([
      '2026年3月',
      '2026年第二季度',
      '2026年上半年',
      '2026年',
    ]);
  });
});
