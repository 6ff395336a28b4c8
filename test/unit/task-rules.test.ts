// The task occurrence's pure transitions (src/features/duties/rules.ts), table-driven: an owner's report
// from each status (who may, what is stored, the late mark, the secretary told on 遇到困难), and the
// period end marking an open recurring occurrence 未完成 (never a one-off, a closed one, or too early).
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { periodOf, TASK_STATUSES, type TaskStatus } from '../../src/features/duties/model.ts';
import { missTask, reportTask, reviewTask, type TaskState } from '../../src/features/duties/rules.ts';

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
    submitted: 'conflict: 任务当前为“待验收”，不能再报告。',
    accepted: 'conflict: 任务当前为“已完成（已验收）”，不能再报告。',
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
    { t: task({ status: 'submitted' }), today: '2027-01-01', missed: false },
    { t: task({ status: 'accepted' }), today: '2027-01-01', missed: false },
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

// Issue 13 item 3, "done means evidenced": 已完成 on a task whose item requires evidence needs some —
// already attached, or a link / text in the same report; other reports and items without a requirement pass.
describe('reportTask: 已完成 needs the required evidence', () => {
  const refused =
    'bad_args: 请先附上佐证材料（要求：会议纪要）：在“更新进度”中选择“已完成”，并在“佐证材料”一栏填写链接或文字说明。';
  const cases = [
    { name: 'no requirement, nothing attached', status: 'done', required: '', attached: 0, link: '', want: 'ok' },
    { name: 'blank requirement', status: 'done', required: '  ', attached: 0, link: '', want: 'ok' },
    { name: 'required, nothing attached', status: 'done', required: '会议纪要', attached: 0, link: '', want: refused },
    { name: 'required, blank link', status: 'done', required: '会议纪要', attached: 0, link: '  ', want: refused },
    {
      name: 'required, a link in the report',
      status: 'done',
      required: '会议纪要',
      attached: 0,
      link: 'https://example.feishu.cn/docx/minutes',
      want: 'ok',
    },
    {
      name: 'required, a text in the report',
      status: 'done',
      required: '会议纪要',
      attached: 0,
      link: '纪要已存档',
      want: 'ok',
    },
    { name: 'required, attached before', status: 'done', required: '会议纪要', attached: 2, link: '', want: 'ok' },
    { name: 'required, only progress', status: 'in_progress', required: '会议纪要', attached: 0, link: '', want: 'ok' },
    { name: 'required, blocked', status: 'blocked', required: '会议纪要', attached: 0, link: '', want: 'ok' },
  ] as const;
  it.each(cases)('$name → $want', (c) => {
    expect(
      outcome(() =>
        reportTask(task(), owner, { status: c.status, percent: 100, text: 'x', link: c.link }, when, {
          required: c.required,
          attached: c.attached,
        }),
      ),
    ).toBe(c.want);
  });

  it('the owner check and a closed task come first', () => {
    const ev = { required: '会议纪要', attached: 0 };
    expect(
      outcome(() => reportTask(task(), { openId: 'ou_x' }, { status: 'done', percent: 0, text: '' }, when, ev)),
    ).toMatch(/^forbidden/);
    expect(
      outcome(() => reportTask(task({ status: 'missed' }), owner, { status: 'done', percent: 0, text: '' }, when, ev)),
    ).toMatch(/^conflict/);
  });
});

// 验收 (issue 13 item 3): 已完成 with evidence on an item that requires it is 待验收; the 书记 or 纪检委员
// (never the owner) accepts it (已完成（已验收）) or returns it with a reason (进行中 again, owner told).
describe('验收', () => {
  it('已完成 on an item requiring evidence makes the task 待验收 and sends it to the acceptors', () => {
    expect(
      reportTask(
        task(),
        owner,
        { status: 'done', percent: 100, text: '已召开', link: 'https://x/minutes' },
        { at: when.at, today: '2026-12-26' },
        { required: '会议纪要', attached: 0 },
      ),
    ).toEqual({
      update: { status: 'submitted', percent: 100, done_at: when.at, late: 1 },
      history: { kind: 'submitted', text: '已召开' },
      notices: [{ kind: 'review', roles: ['secretary', 'inspector'], except: 'ou_owner' }],
    });
  });

  const secretary = { openId: 'ou_sec', name: '李书记', role: 'secretary' } as const;
  const wants: Record<TaskStatus, string> = {
    not_started: 'conflict: 任务当前为“未开始”，不在待验收状态。',
    in_progress: 'conflict: 任务当前为“进行中”，不在待验收状态。',
    blocked: 'conflict: 任务当前为“遇到困难”，不在待验收状态。',
    done: 'conflict: 任务当前为“已完成”，不在待验收状态。',
    missed: 'conflict: 任务当前为“未完成（已过期）”，不在待验收状态。',
    submitted: 'ok',
    accepted: 'conflict: 任务当前为“已完成（已验收）”，不在待验收状态。',
  };
  it.each(TASK_STATUSES.map((status) => ({ status, want: wants[status] })))('accept from $status → $want', (c) => {
    expect(outcome(() => reviewTask(task({ status: c.status }), secretary, { decision: 'accept' }))).toBe(c.want);
  });

  it.each([
    { who: 'a 纪检委员', actor: { openId: 'ou_ins', name: '王纪检', role: 'inspector' }, want: 'ok' },
    { who: 'the 书记', actor: secretary, want: 'ok' },
    {
      who: 'a 组织委员',
      actor: { openId: 'ou_org', name: '张组织', role: 'organizer' },
      want: 'forbidden: 需要书记或纪检委员权限才能验收。',
    },
    {
      who: 'a non-member',
      actor: { openId: 'ou_x', name: '外人', role: undefined },
      want: 'forbidden: 需要书记或纪检委员权限才能验收。',
    },
    {
      who: 'the owner, though 书记',
      actor: { openId: 'ou_owner', name: '王五', role: 'secretary' },
      want: 'forbidden: 责任人不能验收自己的任务，请由书记或纪检委员验收。',
    },
  ] as const)('$who accepting → $want', (c) => {
    expect(outcome(() => reviewTask(task({ status: 'submitted' }), c.actor, { decision: 'accept' }))).toBe(c.want);
  });

  it('accepting keeps the late mark and the finish time', () => {
    expect(reviewTask(task({ status: 'submitted', percent: 100, late: 1 }), secretary, { decision: 'accept' })).toEqual(
      {
        update: { status: 'accepted', percent: 100, late: 1 },
        history: { kind: 'accepted', text: '验收通过' },
        notices: [],
      },
    );
  });

  it('returning needs a reason, reopens the task and tells the owner', () => {
    const t = task({ status: 'submitted', percent: 100 });
    expect(outcome(() => reviewTask(t, secretary, { decision: 'return', reason: '  ' }))).toBe(
      'bad_args: 退回需要填写理由。',
    );
    expect(reviewTask(t, secretary, { decision: 'return', reason: '纪要缺签名' })).toEqual({
      update: { status: 'in_progress', percent: 100, done_at: null, late: 0 },
      history: { kind: 'returned', text: '退回：纪要缺签名' },
      notices: [{ kind: 'returned', to: 'ou_owner', by: '李书记', reason: '纪要缺签名' }],
    });
  });
});
