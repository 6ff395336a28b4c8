// The task occurrence's pure transitions (src/features/duties/rules.ts), table-driven: an owner's report
// from each status (who may, what is stored, the late mark, the secretary told on 遇到困难), and the
// period end marking an open recurring occurrence 未完成 (never a one-off, a closed one, or too early).
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { periodOf, TASK_STATUSES, type TaskStatus } from '../../src/features/duties/model.ts';
import { missTask, reportTask, type TaskState } from '../../src/features/duties/rules.ts';

const task = (o: Partial<TaskState> = {}): TaskState => ({
  id: 3,
  status: 'not_started',
  percent: 0,
  late: 0,
  due_date: '2026-12-25',
  period: '2026-12',
  owner_open_id: 'ou_owner',
  owner_name: '王五',
  ...o,
});
const owner = { openId: 'ou_owner' };
const when = { at: '2026-12-20T02:00:00.000Z', today: '2026-12-20' };

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof UserError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('reportTask', () => {
  const wants: Record<TaskStatus, string> = {
    not_started: 'ok',
    in_progress: 'ok',
    blocked: 'ok',
    done: 'conflict: 任务当前为“已完成”，不能再报告。',
    missed: 'conflict: 任务当前为“未完成（已过期）”，不能再报告。',
  };
  it.each(TASK_STATUSES.map((status) => ({ status, want: wants[status] })))('from $status → $want', (c) => {
    expect(
      outcome(() =>
        reportTask(task({ status: c.status }), owner, { status: 'in_progress', percent: 50, text: 'x' }, when),
      ),
    ).toBe(c.want);
  });

  it('only the owner reports', () => {
    expect(outcome(() => reportTask(task(), { openId: 'ou_x' }, { status: 'done', percent: 0, text: '' }, when))).toBe(
      'forbidden: 只有责任人（王五）可以报告这项任务。',
    );
  });

  const reports = [
    {
      r: { status: 'in_progress', percent: 120, text: '推进中' },
      update: { status: 'in_progress', percent: 100, done_at: null, late: 0 },
      history: { kind: 'progress', text: '推进中' },
      notices: [],
    },
    {
      r: { status: 'done', percent: 10, text: '已完成' },
      update: { status: 'done', percent: 100, done_at: when.at, late: 0 },
      history: { kind: 'done', text: '已完成' },
      notices: [],
    },
    {
      r: { status: 'blocked', percent: -3, text: '缺经费' },
      update: { status: 'blocked', percent: 0, done_at: null, late: 0 },
      history: { kind: 'blocked', text: '缺经费' },
      notices: [{ kind: 'blocked', roles: ['secretary'], except: 'ou_owner', reason: '缺经费' }],
    },
  ] as const;
  it.each(reports)('$r.status stores $update.status at $update.percent %', (c) => {
    expect(reportTask(task(), owner, c.r, when)).toEqual({ update: c.update, history: c.history, notices: c.notices });
  });

  it.each([
    { late: 0, today: '2026-12-25', want: 0 },
    { late: 0, today: '2026-12-26', want: 1 },
    { late: 1, today: '2026-12-01', want: 1 },
  ])('late mark: was $late, reported on $today → $want', ({ late, today, want }) => {
    const t = reportTask(
      task({ late }),
      owner,
      { status: 'in_progress', percent: 1, text: '' },
      { at: when.at, today },
    );
    expect(t.update.late).toBe(want);
  });
});

describe('missTask', () => {
  const december = periodOf('monthly', '2026-12-25');
  const cases: { t: TaskState; today: string; missed: boolean }[] = [
    { t: task(), today: '2027-01-01', missed: true },
    { t: task({ status: 'in_progress' }), today: '2027-01-01', missed: true },
    { t: task({ status: 'blocked' }), today: '2027-01-05', missed: true },
    { t: task(), today: '2026-12-31', missed: false },
    { t: task({ status: 'done' }), today: '2027-01-01', missed: false },
    { t: task({ status: 'missed' }), today: '2027-01-01', missed: false },
    { t: task({ period: 'once' }), today: '2027-01-01', missed: false },
  ];
  it.each(cases)('$t.status ($t.period) on $today → missed $missed', ({ t, today, missed }) => {
    const change = missTask(t, december, today);
    if (!missed) expect(change).toBeUndefined();
    else
      expect(change).toEqual({
        update: { status: 'missed', late: 1 },
        history: { kind: 'missed', text: '2026-12 期末未完成，记为未完成' },
        notices: [],
      });
  });
});
