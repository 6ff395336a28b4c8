// The task occurrence's pure rules (src/features/duties/rules.ts, linked.ts, model.ts, export.ts), table-driven:
// an owner's report from each status (who may, what is stored, the late mark, the secretary told on 遇到困难),
// the period end marking an open recurring occurrence 未完成, evidence and 验收 (issue 13 item 3), linked
// records (which item names which meeting, where it is looked for), and the 台账's 状态 and review columns.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { evidenceLine, reviewColumns, statusSummary } from '../../src/features/duties/export.ts';
import {
  linkedKindOf,
  linkedMeetingKind,
  linkedWindow,
  periodText,
  requiresMinutes,
} from '../../src/features/duties/linked.ts';
import { ledgerStatus, periodOf, TASK_STATUSES, type TaskStatus } from '../../src/features/duties/model.ts';
import {
  attachTaskEvidence,
  completeByRecord,
  missTask,
  reportTask,
  reviewTask,
  type TaskState,
} from '../../src/features/duties/rules.ts';

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
        history: { kind: 'missed', text: '2026年12月期末未完成，记为未完成' },
        notices: [],
      });
  });
});

// Issue 13 item 3, "done means evidenced": 已完成 on a task whose item requires evidence needs some —
// already attached, or a link / text in the same report; other reports and items without a requirement pass.
describe('reportTask: 已完成 needs the required evidence', () => {
  const refused =
    'bad_args: 请先附上佐证材料（要求：会议纪要）：可在“更新进度”中选择“已完成”，在“佐证材料”一栏填写链接或文字说明；也可在与清风的单聊中发送文件，选为这项任务的佐证。';
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

// Issue 13 item 3, linked records: an item naming a meeting to hold is matched to that meeting kind.
describe('linkedMeetingKind', () => {
  it.each([
    ['每月召开支委会', 'committee'],
    ['每月召开一次支部委员会会议，研究党风廉政建设工作', 'committee'],
    ['每季度召开支部党员大会', 'general'],
    ['每季度召开党员大会', 'general'],
    ['每月开展一次主题党日活动', 'theme_day'],
    ['每季度讲一次廉政党课', 'lecture'],
    ['书记每年上一次党课', 'lecture'],
    ['每半年召开全面从严治党专题会议', 'special'],
    ['召开年度组织生活会，开展民主评议党员', 'life_meeting'],
    ['班子每年召开民主生活会', 'democratic_life'],
    ['每月组织理论学习中心组学习', 'central_group'],
    ['每年开展一次警示教育', 'warning'],
    ['每月召开党小组会', 'group'],
    // Not a meeting to hold: no verb before it, or not a meeting at all.
    ['督促支委会成员落实一岗双责', undefined],
    ['严格落实“三会一课”制度', undefined],
    ['落实谈心谈话制度', undefined],
    ['开展党风廉政建设宣传教育', undefined],
    ['组织学习贯彻上级文件精神', undefined],
    ['按时足额收缴党费', undefined],
    // Two kinds: ambiguous, not linked.
    ['每月召开支委会，每季度召开党员大会', undefined],
  ])('%s → %s', (content, kind) => {
    expect(linkedMeetingKind({ content })).toBe(kind);
  });

  it('only recurring items link (a one-off item has no period to look in)', () => {
    expect(linkedKindOf({ content: '每月召开支委会', cadence: 'monthly' })).toBe('committee');
    expect(linkedKindOf({ content: '召开一次支委会', cadence: 'once' })).toBeUndefined();
  });

  it('a yearly 组织生活会 / 民主生活会 for year Y is looked for from March of Y to February of Y + 1; others in their period', () => {
    expect(linkedWindow('life_meeting', 'yearly', '2026-12-31')).toEqual({
      start: '2026-03-01',
      end: '2027-02-28',
      text: '2026年度（可至2027年2月底）',
    });
    expect(linkedWindow('democratic_life', 'yearly', '2027-12-31').end).toBe('2028-02-29');
    expect(linkedWindow('committee', 'monthly', '2026-12-25')).toEqual({
      start: '2026-12-01',
      end: '2026-12-31',
      text: '2026年12月',
    });
    expect(linkedWindow('lecture', 'yearly', '2026-12-31')).toMatchObject({ start: '2026-01-01', end: '2026-12-31' });
  });

  it.each([
    ['会议纪要', true],
    ['支委会会议记录', true],
    ['纪要、签到表', true],
    ['签到表、照片', false],
    ['', false],
  ])('requirement %s asks for minutes: %s', (r, want) => {
    expect(requiresMinutes(r)).toBe(want);
  });

  it.each([
    ['monthly', '2026-12-25', '2026年12月'],
    ['quarterly', '2026-12-25', '2026年第四季度'],
    ['half_yearly', '2026-03-01', '2026年上半年'],
    ['yearly', '2026-03-01', '2026年'],
  ] as const)('%s period of %s reads %s', (cadence, date, want) => {
    expect(periodText(periodOf(cadence, date))).toBe(want);
  });
});

describe('reportTask on an item naming a meeting (linked record)', () => {
  const why = '2026年12月还没有已召开的支委会记录：……';
  const linked = (records: number) => ({
    required: '会议纪要',
    attached: 1,
    linked: { label: '支委会', verb: '召开', records, why },
  });
  it('refuses 已完成 without a held meeting, even with a link or other evidence attached', () => {
    expect(
      outcome(() =>
        reportTask(task(), owner, { status: 'done', percent: 100, text: 'x', link: 'https://x' }, when, linked(0)),
      ),
    ).toBe(`bad_args: 这项任务以本期已召开的支委会为佐证（要求：会议纪要）。${why}`);
  });
  it('a linked record makes it 待验收', () => {
    expect(reportTask(task(), owner, { status: 'done', percent: 100, text: '已召开' }, when, linked(1)).update).toEqual(
      {
        status: 'submitted',
        percent: 100,
        done_at: when.at,
        late: 0,
      },
    );
  });
  it('progress needs no record', () => {
    expect(
      outcome(() => reportTask(task(), owner, { status: 'in_progress', percent: 50, text: 'x' }, when, linked(0))),
    ).toBe('ok');
  });
});

describe('completeByRecord', () => {
  const record = { name: '关联记录：支委会“12月支委会”（2026-12-10）', date: '2026-12-10' };
  it('an item requiring evidence: 待验收, the acceptors told', () => {
    expect(completeByRecord(task(), record, { at: when.at }, '会议纪要')).toEqual({
      update: { status: 'submitted', percent: 100, done_at: when.at, late: 0 },
      history: { kind: 'linked', text: record.name },
      notices: [{ kind: 'review', roles: ['secretary', 'inspector'], except: 'ou_owner' }],
    });
  });
  it('an item without a requirement: 已完成', () => {
    expect(completeByRecord(task({ status: 'blocked' }), record, { at: when.at }, '')).toEqual({
      update: { status: 'done', percent: 100, done_at: when.at, late: 0 },
      history: { kind: 'linked', text: record.name },
      notices: [],
    });
  });
  it('late only when the meeting itself was held after the due date', () => {
    expect(completeByRecord(task(), { ...record, date: '2026-12-28' }, { at: when.at }, '')?.update.late).toBe(1);
    expect(completeByRecord(task({ late: 1 }), record, { at: when.at }, '')?.update.late).toBe(1);
  });
  it.each(['done', 'missed', 'submitted', 'accepted'] as const)('a %s task is left alone', (status) => {
    expect(completeByRecord(task({ status }), record, { at: when.at }, '会议纪要')).toBeUndefined();
  });
});

describe('attachTaskEvidence', () => {
  it('the owner adds a file to an open task: a history line, no status change', () => {
    expect(attachTaskEvidence(task({ status: 'in_progress', late: 1 }), owner, { name: '纪要.pdf' })).toEqual({
      update: { status: 'in_progress', late: 1 },
      history: { kind: 'evidence', text: '添加佐证材料：纪要.pdf' },
      notices: [],
    });
  });
  it('nobody else, and not once submitted or finished', () => {
    expect(outcome(() => attachTaskEvidence(task(), { openId: 'ou_x' }, { name: 'a' }))).toBe(
      'forbidden: 只有责任人（王五）可以为这项任务添加佐证材料。',
    );
    expect(outcome(() => attachTaskEvidence(task({ status: 'submitted' }), owner, { name: 'a' }))).toBe(
      'conflict: 任务当前为“待验收”，不能再添加佐证材料。',
    );
  });
});

// The 台账's 状态 column and its title-row count; an empty range never reads as all done.
describe('ledger status', () => {
  const today = '2026-12-20';
  it.each([
    ['accepted', '2026-12-01', '已完成（已验收）'],
    ['done', '2026-12-01', '已完成'],
    ['submitted', '2026-12-01', '待验收'],
    ['in_progress', '2026-12-25', '进行中'],
    ['not_started', '2026-12-25', '未开始'],
    ['blocked', '2026-12-25', '遇到困难'],
    ['in_progress', '2026-12-19', '逾期'],
    ['blocked', '2026-12-19', '逾期'],
    ['not_started', '2026-12-20', '未开始'],
    ['missed', '2026-11-30', '未完成'],
  ] as const)('%s due %s → %s', (status, due_date, want) => {
    expect(ledgerStatus({ status, due_date }, today)).toBe(want);
  });

  it('counts statuses, and says when nothing was due', () => {
    expect(statusSummary([])).toBe('本期没有到期的责任任务');
    expect(statusSummary([{ status: '待验收' }, { status: '已完成（已验收）' }, { status: '待验收' }])).toBe(
      '共 3 项：已完成（已验收） 1，待验收 2',
    );
  });

  it('验收人, 验收时间 and every 退回理由 come from the history', () => {
    const events = [
      { kind: 'submitted', at: '2026-12-10T02:00:00.000Z', actor_name: '王纪检', text: '已召开' },
      { kind: 'returned', at: '2026-12-11T02:00:00.000Z', actor_name: '李书记', text: '退回：纪要缺签名' },
      { kind: 'submitted', at: '2026-12-12T02:00:00.000Z', actor_name: '王纪检', text: '已补签名' },
      { kind: 'accepted', at: '2026-12-13T06:30:00.000Z', actor_name: '李书记', text: '验收通过' },
    ] as const;
    expect(reviewColumns('accepted', events, 'Asia/Shanghai')).toEqual({
      acceptedBy: '李书记',
      acceptedAt: '2026-12-13 14:30',
      returns: '2026-12-11 纪要缺签名',
    });
    expect(reviewColumns('submitted', events.slice(0, 3), 'Asia/Shanghai')).toMatchObject({
      acceptedBy: '',
      acceptedAt: '',
    });
  });

  it('evidence lines: a file by name, a link or text as given, a linked record by its name', () => {
    expect(evidenceLine({ kind: 'file', value: 'om_1:file_k', name: '纪要.pdf' })).toBe('文件：纪要.pdf');
    expect(evidenceLine({ kind: 'link', value: 'https://x/y', name: 'https://x/y' })).toBe('https://x/y');
    expect(
      evidenceLine({ kind: 'record', value: 'session:3', name: '关联记录：支委会“12月支委会”（2026-12-10）' }),
    ).toBe('关联记录：支委会“12月支委会”（2026-12-10）');
  });
});
