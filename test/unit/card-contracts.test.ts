// Typed card contracts (src/cards/contract.ts): every registered card action is the handler of a
// contract; every button the cards draw carries a value its action's schema parses and that the
// contract writes back unchanged (the wire format of cards already sent stays as it was); every input
// of a form is a field its submit button's contract declares; forms arrive parsed (long texts joined).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { helpRun } from '../../src/cards/actions/help.ts';
import { importConfirm } from '../../src/cards/actions/import.ts';
import { cardAction, type DefinedAction, formText } from '../../src/cards/contract.ts';
import { buildFullHelpCard, buildHelpCard } from '../../src/cards/help-card.ts';
import { buildAttachCard, buildPreviewCard } from '../../src/cards/import-card.ts';
import { longTextName } from '../../src/cards/parts.ts';
import type { Card } from '../../src/core/card.ts';
import type { ActionContext } from '../../src/core/contracts.ts';
import { taskCreate } from '../../src/features/duties/contracts.ts';
import {
  buildChecklistCard,
  buildQuarterlyAskCard,
  buildTaskCard,
  buildTaskListCard,
  buildTaskNewCard,
  type TaskView,
} from '../../src/features/duties/task-card.ts';
import { buildBallotFormCard } from '../../src/features/life/ballot-card.ts';
import { buildOpinionFormCard, buildOpinionsAskCard } from '../../src/features/life/opinions-card.ts';
import { buildBackfillCard } from '../../src/features/meetings/backfill-card.ts';
import { MINUTES_PARTS, meetingMinutes } from '../../src/features/meetings/contracts.ts';
import { buildMakeupCard, buildMakeupListCard } from '../../src/features/meetings/makeup-card.ts';
import {
  buildSessionCard,
  buildSessionListCard,
  buildSessionNewCard,
  type SessionView,
} from '../../src/features/meetings/session-card.ts';
import { buildRegisterCard } from '../../src/features/membership/register-card.ts';
import {
  buildExtensionCard,
  buildRectItemCard,
  buildRectListCard,
  buildRectNewCard,
  buildRectReviewCard,
  type RectItemView,
} from '../../src/features/rectification/item-card.ts';
import { buildTalkCard, buildTalkFormCard } from '../../src/features/talks/talk-card.ts';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

const registered = new Map(commands.flatMap((c) => Object.entries(c.actions ?? {})));

const task = (status: string): TaskView => ({
  id: 12,
  orgId: 3,
  version: 4,
  itemId: 5,
  content: '每月召开支委会',
  category: '党风廉政建设',
  leader: '李明华',
  cadenceLabel: '每月',
  period: '2026-12',
  ownerOpenId: 'ou_owner',
  ownerName: '张三',
  dueDate: '2026-12-31',
  dueText: '还有 5 个工作日',
  overdue: false,
  status,
  statusLabel: '进行中',
  percent: 40,
  evidenceRequired: '会议纪要',
  lastProgress: undefined,
  evidence: [],
  history: [],
});

const rect = (status: string, kind = 'long_term'): RectItemView => ({
  id: 7,
  orgId: 3,
  version: 2,
  status,
  statusLabel: '整改中',
  kind,
  kindLabel: '长期整改',
  source: '巡察',
  batchName: undefined,
  problem: '问题',
  measures: '措施',
  leader: '',
  ownerOpenId: 'ou_owner',
  ownerName: '张三',
  area: '',
  deadline: '2026-12-31',
  deadlineText: '还有 20 天',
  dueTone: 'running',
  overdue: false,
  late: false,
  progress: 30,
  lastProgress: undefined,
  history: [],
  evidence: [],
  reviewer: undefined,
  pendingExtension: undefined,
});

const session = (category: 'meeting' | 'study'): SessionView => ({
  id: 9,
  orgId: 3,
  version: 6,
  category,
  kind: category === 'study' ? 'central_group' : 'general',
  kindLabel: '学习',
  title: '主题',
  startText: '2026-12-10 15:00',
  started: true,
  cancelled: false,
  place: '',
  agenda: '',
  organiserName: '张三',
  attendees: [],
  voting: undefined,
  minutes: '决定：落实',
  files: [],
  reflections: undefined,
});

const { buildLinkRequestCard } = await import('../../src/features/hierarchy/link-card.ts');
const { buildIssueResultCard } = await import('../../src/features/duties/issue-cards.ts');
const { buildRollupCard } = await import('../../src/features/rollup/rollup-card.ts');

/** One card of every kind that has buttons, in every mode that draws different buttons. */
function cards(): [string, Card][] {
  const out: [string, Card][] = [];
  const link = {
    linkId: 4,
    version: 0,
    childId: 3,
    childName: '支部',
    upperName: '党委',
    upperLevel: '党委',
    requestedAt: '2026-12-02 10:00',
  };
  out.push(['link request', buildLinkRequestCard(link)]);
  out.push([
    'issue answer',
    buildIssueResultCard({
      orgId: 3,
      itemId: 7,
      seq: 1,
      content: '排查',
      due: '2026-12-20',
      created: ['支部'],
      already: [],
      unsent: [],
    }),
  ]);
  const colours = { cycles: 'red', rects: 'green', tasks: 'green', study: 'green' } as const;
  const row = {
    orgId: 4,
    name: '支部',
    colour: 'red' as const,
    colours,
    missed: 1,
    required: 2,
    met: 1,
    completion: 50,
  };
  out.push([
    'roll-up',
    buildRollupCard({
      orgId: 3,
      orgName: '党委',
      today: '2026-12-02',
      rows: [{ ...row, rectsOverdue: 0, maxDaysLate: 0, tasksOverdue: 0, attendance: null }],
      legend: '红：有未按期开展',
      trend: [{ month: '2026-11', required: 2, met: 1 }],
    }),
  ]);
  for (const mode of ['view', 'progress', 'blocked'] as const)
    out.push([`task ${mode}`, buildTaskCard(task('in_progress'), mode)]);
  out.push(['task review', buildTaskCard({ ...task('submitted'), mayReview: true })]);
  const list = { orgId: 3, title: '任务', filterKey: 'overdue', page: 2, pages: 3, total: 30 };
  const counts = [{ label: '已完成', count: 1, done: true }];
  out.push(['task list', buildTaskListCard({ ...list, rows: [], scope: '本年度全部任务', counts })]);
  // A row's 查看 button (issue 14 item 4).
  out.push([
    'task list with a row',
    buildTaskListCard({
      ...list,
      scope: '本年度全部任务',
      counts,
      rows: [
        { id: 12, content: '任务', ownerName: '张三', dueDate: '2026-12-31', statusLabel: '未开始', overdue: false },
      ],
    }),
  ]);
  out.push(['task new', buildTaskNewCard({ orgId: 3, memberOpenIds: ['ou_a'], categories: ['其他'] })]);
  out.push([
    'checklist',
    buildChecklistCard({
      orgId: 3,
      month: '2026-12',
      name: '张三',
      tasks: [{ id: 12, content: '任务', dueDate: '2026-12-31', statusLabel: '未开始', overdue: false }],
    }),
  ]);
  out.push(['quarterly', buildQuarterlyAskCard({ orgId: 3, quarter: '2026Q4', end: '2026-12-31' })]);
  for (const mode of ['view', 'progress', 'close', 'extend'] as const)
    out.push([`rect ${mode}`, buildRectItemCard(rect('in_progress'), mode)]);
  for (const mode of ['view', 'return'] as const)
    out.push([`review ${mode}`, buildRectReviewCard(rect('review'), mode)]);
  out.push(['rect list', buildRectListCard({ ...list, items: [], scope: '全部整改事项', counts })]);
  out.push([
    'rect list with a row',
    buildRectListCard({
      ...list,
      scope: '全部整改事项',
      counts,
      items: [
        {
          id: 7,
          problem: '问题',
          ownerName: '张三',
          deadline: '2026-12-31',
          deadlineText: '剩 29 天',
          statusLabel: '整改中',
          dueTone: 'running',
          late: false,
        },
      ],
    }),
  ]);
  out.push([
    'rect new',
    buildRectNewCard({ orgId: 3, batches: [{ id: 1, name: '第一轮' }], memberOpenIds: ['ou_a'], sources: ['巡察'] }),
  ]);
  const ext = {
    requestId: 8,
    orgId: 3,
    itemId: 7,
    problem: '问题',
    ownerName: '张三',
    requester: '张三',
    oldDeadline: '2026-12-31',
    newDeadline: '2027-01-31',
    reason: '理由',
    status: 'pending' as const,
  };
  out.push(['extension', buildExtensionCard(ext)]);
  out.push([
    'session list',
    buildSessionListCard({
      orgId: 3,
      title: '第一党支部 2026年会议',
      rows: [{ id: 5, kind: '支部委员会', title: '研究发展党员', when: '2026-12-10 15:00', status: '已召开' }],
    }),
  ]);
  for (const category of ['meeting', 'study'] as const) {
    for (const mode of ['view', 'leave', 'minutes', 'reflection', 'correct'] as const)
      out.push([`${category} ${mode}`, buildSessionCard(session(category), mode)]);
    // The buttons follow the 签到 window: 参加 / 请假 before the start, 签到 in the window, 补正 after it.
    for (const phase of ['before', 'open', 'closed'] as const)
      out.push([`${category} view ${phase}`, buildSessionCard({ ...session(category), phase })]);
  }
  out.push([
    'session new',
    buildSessionNewCard({
      orgId: 3,
      category: 'study',
      kinds: [{ value: 'central_group', text: '中心组学习' }],
      initialKind: 'central_group',
      memberOpenIds: ['ou_a'],
      agenda: '',
    }),
  ]);
  out.push([
    'session backfill',
    buildBackfillCard({
      orgId: 3,
      kinds: [{ value: 'theme_day', text: '主题党日' }],
      initialKind: 'theme_day',
      memberOpenIds: ['ou_a'],
    }),
  ]);
  out.push([
    'makeup list',
    buildMakeupListCard({
      orgId: 3,
      rows: [{ id: 7, heading: '中心组学习：主题', when: '2026-12-10 15:00', missed: '缺席' }],
    }),
  ]);
  out.push([
    'makeup',
    buildMakeupCard({
      id: 7,
      orgId: 3,
      heading: '中心组学习：主题',
      startText: '2026-12-10 15:00',
      organiserName: '张三',
      missed: '缺席',
      agenda: '学习材料',
      minutes: undefined,
      links: [],
      files: [],
    }),
  ]);
  const plan = { rows: [1], problems: [], counts: { created: 1, updated: 0, unchanged: 0 }, sample: [] };
  out.push(['preview', buildPreviewCard({ importId: 4, orgId: 3, label: '整改台账', fileName: 'a.xlsx', plan })]);
  out.push([
    'attach',
    buildAttachCard({
      orgId: 3,
      messageId: 'om_1',
      fileKey: 'file_1',
      fileName: 'a.pdf',
      options: [{ text: '#7', value: 'r:7' }],
    }),
  ]);
  const help = {
    orgName: '支部',
    chatType: 'group' as const,
    quick: [{ key: 'overdue' as const, label: '逾期整改', command: '/整改 列表 逾期' }],
    areas: [],
  };
  out.push(['help', buildHelpCard({ ...help, orgId: 3, drawnFor: 'none' })]);
  out.push(['help outside an org', buildHelpCard({ ...help, quick: [], orgId: undefined })]);
  out.push(['all commands', buildFullHelpCard({ orgName: '支部', orgId: 3, areas: [] })]);
  const registerCounts = { full: 1, probationary: 0, committee: 0, groups: [], exempt: 0 };
  out.push([
    'register',
    buildRegisterCard({ orgId: 3, orgName: '支部', counts: registerCounts, rows: [], page: 2, pages: 3, total: 120 }),
  ]);
  // 征求意见: 提出意见 on the group card, 署名提交 / 匿名提交 on the form; 民主评议: 提交评议 on the ballot.
  out.push(['life opinions ask', buildOpinionsAskCard({ orgId: 3, orgName: '支部', pipelineId: 7, year: 2026 })]);
  out.push(['life opinion form', buildOpinionFormCard({ orgId: 3, orgName: '支部', pipelineId: 7 })]);
  out.push([
    'life ballot',
    buildBallotFormCard({ orgId: 3, orgName: '支部', pipelineId: 7, year: 2026, subjectOpenIds: ['ou_a', 'ou_b'] }),
  ]);
  // The talk register: the record form's 保存, a party's 确认.
  out.push([
    'talk form',
    buildTalkFormCard({
      orgId: 3,
      orgName: '支部',
      memberOpenIds: ['ou_a'],
      kinds: [{ value: 'heart', text: '谈心谈话' }],
      initialKind: 'heart',
      today: '2026-12-02',
    }),
  ]);
  out.push([
    'talk to confirm',
    buildTalkCard({
      id: 5,
      orgId: 3,
      kindLabel: '谈心谈话',
      heldText: '2026年12月1日',
      place: '活动室',
      recorderName: '李书记',
      parties: [{ name: '张三', confirmedText: undefined }],
      confirmation: '待确认（0/1）',
      allConfirmed: false,
      withdrawn: false,
      notes: undefined,
      heldOn: '2026-12-01',
      kind: 'heart',
      mayConfirm: true,
    }),
  ]);
  return out;
}

/** Every callback button's value, and each form's input names with its submit button's value. */
function scan(card: Card) {
  const values: Obj[] = [];
  const forms: { names: string[]; submit: Obj | undefined }[] = [];
  const callbackValue = (el: Obj) => {
    const b = Array.isArray(el.behaviors) ? (el.behaviors[0] as Obj | undefined) : undefined;
    return b?.type === 'callback' && isObj(b.value) ? b.value : undefined;
  };
  const walk = (x: unknown, form?: { names: string[]; submit: Obj | undefined }) => {
    if (Array.isArray(x)) for (const v of x) walk(v, form);
    if (!isObj(x)) return;
    if (x.tag === 'form') {
      const f = { names: [] as string[], submit: undefined as Obj | undefined };
      forms.push(f);
      walk(x.elements, f);
      return;
    }
    if (x.tag === 'button') {
      const v = callbackValue(x);
      if (v) values.push(v);
      if (form && x.form_action_type === 'submit') form.submit = v;
    } else if (form && typeof x.name === 'string') form.names.push(x.name);
    for (const v of Object.values(x)) walk(v, form);
  };
  walk(card.body.elements);
  return { values, forms };
}

describe('card contracts', () => {
  const all = cards().map(([label, c]) => [label, scan(c)] as const);

  it('every registered action is the handler of the contract with its id', () => {
    expect(registered.size).toBeGreaterThan(25);
    for (const [id, spec] of registered) {
      const d = spec as Partial<DefinedAction>;
      expect(d.contract?.id, id).toBe(id);
      expect(spec.value, id).toBe(d.contract?.value);
    }
  });

  it('every registered action has a button on some card', () => {
    const seen = new Set(all.flatMap(([, s]) => s.values.map((v) => v.a)));
    expect([...registered.keys()].filter((id) => !seen.has(id))).toEqual([]);
  });

  it("every button's value round-trips through its action's schema, unchanged on the wire", () => {
    let checked = 0;
    for (const [label, { values }] of all) {
      for (const value of values) {
        const { a, v, o, ...rest } = value;
        expect(v, label).toBe(1);
        const spec = registered.get(String(a)) as DefinedAction | undefined;
        expect(spec, `${label}: ${String(a)}`).toBeDefined();
        if (!spec) continue;
        // What the router does with a click: parse everything but a, v and o with the value schema.
        const parsed = spec.value.safeParse(rest);
        expect(parsed.success, `${label}: ${JSON.stringify(value)}`).toBe(true);
        const again = spec.contract.payload(parsed.data as Obj, o as number | undefined);
        expect({ v: 1, ...again }, label).toEqual(value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("every input of a form is a field of its submit button's contract", () => {
    for (const [label, { forms }] of all) {
      for (const f of forms) {
        const spec = registered.get(String(f.submit?.a)) as DefinedAction | undefined;
        expect(spec, `${label}: form without a registered submit`).toBeDefined();
        const fields = new Set(Object.keys(spec?.contract.fields ?? {}));
        const unknown = f.names.filter(
          (n) => !n.startsWith('submit_') && !fields.has(n) && !fields.has(n.replace(/_\d+$/, '')),
        );
        expect(unknown, label).toEqual([]);
      }
    }
  });

  it('fills in the id and the org, and leaves out what is undefined', () => {
    expect(importConfirm.payload({ i: 4, ok: false }, 3)).toEqual({ a: 'import.confirm', i: 4, ok: false, o: 3 });
    expect(helpRun.payload({ cmd: 'help', r: undefined }, undefined)).toEqual({ a: 'help.run', cmd: 'help' });
    expect(Object.keys(helpRun.payload({ cmd: 'me' }, undefined))).toEqual(['a', 'cmd']);
    expect(taskCreate.fields.owners).toBe('owners');
  });

  it('makes a wrong field, value key or value a compile error', () => {
    // Checked by tsc (`npx tsc --noEmit -p .`): each line below would compile only if the contract allowed it.
    // @ts-expect-error: `owner` is not a field of task.create (it is `owners`)
    expect(taskCreate.fields.owner).toBeUndefined();
    // @ts-expect-error: import.confirm carries no `x`
    importConfirm.payload({ i: 1, ok: true, x: 1 }, 3);
    // @ts-expect-error: import.confirm needs `ok`
    importConfirm.payload({ i: 1 }, 3);
    // @ts-expect-error: `cmd` is `me` or `help`
    helpRun.payload({ cmd: 'you' }, 3);
    // @ts-expect-error: a button says which org it acts in (undefined outside an org)
    importConfirm.button({ text: '取消' }, { i: 1, ok: false });
  });

  it('passes the handler the form parsed: trimmed texts, lists, long texts joined', async () => {
    let got: unknown;
    const capture = async (_ctx: unknown, _v: unknown, form: unknown) => {
      got = form;
      return {};
    };
    const ctx = {} as ActionContext;
    await taskCreate
      .define({ roles: 'admin', handle: capture })
      .handle(ctx, {}, { content: '  内容 ', owners: 'ou_a' });
    expect(got).toMatchObject({ content: '内容', owners: ['ou_a'], leader: '', due: '' });
    const raw = {
      [longTextName('minutes', 0)]: ' 第一部分 ',
      [longTextName('minutes', MINUTES_PARTS - 1)]: '第三部分',
      link: 5,
    };
    await meetingMinutes.define({ roles: 'member', handle: capture }).handle(ctx, { id: 9, ver: 1 }, raw);
    expect(got).toEqual({ minutes: '第一部分\n第三部分', link: '' });
  });

  it('refuses a reserved value key and a form it cannot parse', async () => {
    expect(() => cardAction('x.y', { value: { o: formText() } as never })).toThrow(/reserved/);
    const strict = cardAction('x.z', { form: { n: formText().pipe(z.string().min(1)) } });
    const h = strict.define({ roles: 'anyone', handle: async () => ({}) });
    await expect(h.handle({} as ActionContext, {}, {})).rejects.toThrow(/表单/);
  });
});
