// The roll-up's pure rules (src/features/rollup/rules.ts): a rule's periods of the year that ended, met
// only by a held meeting inside the period (a windowed rule: inside its window), periods before the org
// began not counted; each measure's colour at its thresholds and the overall colour the worst of them;
// rows sorted red first and the most behind first; the monthly trend of cycles due and met; items 下发
// from above counted (finished as the duties feature judged each copy) and yellow only for a copy still
// without an owner past its due date (an overdue copy's task is already a 任务逾期, not counted twice).
import { describe, expect, it } from 'vitest';
import { type DefaultRule, rulePeriod } from '../../src/features/meetings/model.ts';
import {
  attendanceColour,
  type BranchFacts,
  branchRow,
  type CycleResult,
  type IssuedCopy,
  issuedRate,
  monthlyTrend,
  periodWords,
  RED_RECT_DAYS,
  type RollupRule,
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
/** The periods of a test rule as meetings/model.ts says (what compute.ts hands in). */
const periodsOf = (r: TestRule, held: string[], since: string, today: string) =>
  ruleCycles(r, (d) => rulePeriod(r, d), held, since, today);
const cycle = (met: boolean, end = '2026-03-31'): CycleResult => ({ rule: 'x', name: 'x', period: '2026Q1', end, met });

describe('ruleCycles', () => {
  it('counts the months that ended this year, each met only by a meeting held inside it', () => {
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
  it('counts the cycles due and met by the month they ended in', () => {
    const trend = monthlyTrend(
      [cycle(true, '2026-01-31'), cycle(false, '2026-01-31'), cycle(true, '2026-03-31')],
      '2026-04-10',
    );
    expect(trend).toEqual([
      { month: '2026-01', required: 2, met: 1 },
      { month: '2026-02', required: 0, met: 0 },
      { month: '2026-03', required: 1, met: 1 },
      { month: '2026-04', required: 0, met: 0 },
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
