/**
 * Responsibility-list cards: the owner's task card (更新进度 / 已完成 / 遇到困难), the list, the new
 * item form, the group status board, the monthly checklist (月月提), the quarterly report form and
 * the secretary's quarter-end roll-up (季季报). Pure builders.
 */
import type { Card, CardElement, HeaderTemplate } from '../core/card.ts';
import {
  button,
  buttonRow,
  card,
  collapsible,
  datePicker,
  divider,
  form,
  input,
  longTextInputs,
  markdown,
  note,
  pagedListCard,
  personPicker,
  plainText,
  selectStatic,
  table,
} from './parts.ts';
import { clean, md } from './text.ts';

export interface TaskView {
  id: number;
  orgId: number;
  version: number;
  itemId: number;
  content: string;
  category: string;
  leader: string;
  cadenceLabel: string;
  period: string;
  ownerOpenId: string;
  ownerName: string;
  dueDate: string;
  dueText: string;
  overdue: boolean;
  status: string;
  statusLabel: string;
  percent: number;
  evidenceRequired: string;
  lastProgress: { at: string; text: string } | undefined;
  evidence: { kind: string; name: string }[];
  history: { at: string; by: string; text: string }[];
}

export type TaskCardMode = 'view' | 'progress' | 'blocked';

const TEMPLATES: Record<string, HeaderTemplate> = {
  not_started: 'blue',
  in_progress: 'wathet',
  done: 'green',
  blocked: 'orange',
  missed: 'grey',
};

const ref = (v: TaskView) => ({ id: v.id, o: v.orgId });

/** Entries of the history shown on the card; the rest is one command away (/任务 记录). */
export const HISTORY_ON_CARD = 10;

/** Rows of a table on one card (its 10-row pages hold the rest on the card); more go to a file. */
const TABLE_ROWS = 60;
/** Rows of the 月月提 checklist on one card (10 elements each; Feishu allows 200 per card). */
export const CHECKLIST_ROWS = 15;
/** Items of the 主体责任清单 shown on its card. */
const DUTY_ITEMS_SHOWN = 30;
/** Names listed inline before "等". */
const NAMES_SHOWN = 30;

/**
 * At most TABLE_ROWS rows, in their order: when there are more, the ones with the highest score
 * (the most overdue) are kept.
 */
function keepWorst<T>(rows: T[], score: (r: T) => number): T[] {
  if (rows.length <= TABLE_ROWS) return rows;
  const keep = new Set(
    rows
      .map((r, i) => ({ i, s: score(r) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, TABLE_ROWS)
      .map((x) => x.i),
  );
  return rows.filter((_, i) => keep.has(i));
}

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: TaskView) => button({ text: '取消', value: { a: 'task.form', form: 'view', ...ref(v) } });

export function buildTaskCard(v: TaskView, mode: TaskCardMode = 'view'): Card {
  const open = v.status === 'not_started' || v.status === 'in_progress' || v.status === 'blocked';
  const elements: CardElement[] = [
    markdown(
      [
        `**类别**：${md(v.category)}　**频次**：${md(v.cadenceLabel)}${v.period !== 'once' ? `（${md(v.period)}）` : ''}`,
        `**责任人**：${md(v.ownerName)}　**责任领导**：${md(v.leader || '—')}`,
        `**本期时限**：${v.dueDate}　${v.overdue ? "<font color='red'>" : ''}${md(v.dueText)}${v.overdue ? '</font>' : ''}`,
        `**状态**：${md(v.statusLabel)}　**进度**：${v.percent}%`,
      ].join('\n'),
    ),
    markdown('**责任内容**'),
    plainText(v.content, { max: 1500 }),
  ];
  if (v.evidenceRequired) elements.push(markdown(`**佐证要求**：${md(v.evidenceRequired, 200)}`));
  if (v.lastProgress)
    elements.push(markdown(`**最近进展**（${md(v.lastProgress.at)}）`), plainText(v.lastProgress.text, { max: 500 }));
  if (v.evidence.length > 0)
    elements.push(
      markdown(
        `**佐证材料**（${v.evidence.length}）\n${v.evidence
          .slice(-6)
          .map((e) => `- ${md(e.name, 80)}`)
          .join('\n')}`,
      ),
    );
  if (v.history.length > 0) {
    const shown = v.history.slice(-HISTORY_ON_CARD);
    elements.push(
      collapsible(`进展记录（${v.history.length}）`, [
        markdown(shown.map((h) => `- ${md(h.at)} ${md(h.by, 20)}：${md(h.text, 120)}`).join('\n')),
        ...(v.history.length > shown.length
          ? [note(`共 ${v.history.length} 条，这里显示最近 ${shown.length} 条；完整记录请发送 /任务 记录 ${v.id}。`)]
          : []),
      ]),
    );
  }
  if (open && mode === 'progress') {
    elements.push(
      divider(),
      form(`task_progress_${v.id}`, [
        selectStatic({
          name: 'status',
          placeholder: '状态',
          options: [
            { text: '进行中', value: 'in_progress' },
            { text: '已完成', value: 'done' },
            { text: '遇到困难', value: 'blocked' },
          ],
          initial: v.status === 'not_started' ? 'in_progress' : v.status,
          required: true,
        }),
        selectStatic({
          name: 'percent',
          placeholder: '完成进度',
          options: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => ({ text: `${p}%`, value: String(p) })),
          initial: String(Math.round(v.percent / 10) * 10),
          required: true,
        }),
        input({
          name: 'done',
          label: '做了什么',
          placeholder: '本期落实情况',
          multiline: true,
          required: true,
          maxLength: 1000,
        }),
        input({ name: 'link', label: '佐证材料链接（可选）', placeholder: '文档或网盘链接', maxLength: 500 }),
        button({
          text: '提交',
          type: 'primary',
          value: { a: 'task.progress', ver: v.version, ...ref(v) },
          submit: { name: 'submit_task' },
        }),
      ]),
      cancelButton(v),
    );
  } else if (open && mode === 'blocked') {
    elements.push(
      divider(),
      form(`task_blocked_${v.id}`, [
        input({
          name: 'reason',
          label: '遇到的困难',
          placeholder: '说明困难和需要的支持，将通知书记',
          multiline: true,
          required: true,
          maxLength: 500,
        }),
        button({
          text: '提交并通知书记',
          type: 'danger',
          value: { a: 'task.blocked', ver: v.version, ...ref(v) },
          submit: { name: 'submit_blocked' },
        }),
      ]),
      cancelButton(v),
    );
  } else if (open) {
    elements.push(
      buttonRow([
        button({ text: '更新进度', type: 'primary', value: { a: 'task.form', form: 'progress', ...ref(v) } }),
        button({
          text: '已完成',
          value: { a: 'task.done', ver: v.version, ...ref(v) },
          confirm: { title: '确认已完成', text: `确认“${clean(v.content, 40)}”本期已完成？` },
        }),
        button({ text: '遇到困难', type: 'danger', value: { a: 'task.form', form: 'blocked', ...ref(v) } }),
      ]),
    );
  }
  return card({
    title: `责任任务 #${v.id}`,
    subtitle: v.content,
    template: v.overdue && open ? 'red' : (TEMPLATES[v.status] ?? 'blue'),
    tags: [{ text: v.statusLabel, color: v.status === 'done' ? 'green' : v.overdue ? 'red' : 'blue' }],
    summary: `责任任务 #${v.id}：${v.statusLabel}`,
    elements,
  });
}

export interface TaskListView {
  orgId: number;
  title: string;
  filterKey: string;
  page: number;
  pages: number;
  total: number;
  rows: { id: number; content: string; ownerName: string; dueDate: string; statusLabel: string; overdue: boolean }[];
}

export function buildTaskListCard(v: TaskListView): Card {
  const lines = v.rows.map(
    (r) =>
      `**#${r.id}** ${md(r.content, 40)}\n<font color='grey'>${md(r.ownerName)} · ${r.dueDate} · ${md(r.statusLabel)}</font>${r.overdue ? " <font color='red'>逾期</font>" : ''}`,
  );
  return pagedListCard({
    ...v,
    lines,
    empty: '没有符合条件的任务。',
    hint: '发送 /任务 查看 编号 查看详情。',
    action: 'task.page',
  });
}

export function buildTaskNewCard(v: {
  orgId: number;
  memberOpenIds: string[];
  categories: readonly string[];
  error?: string;
  /** Pre-filled content (转为任务 from meeting minutes). */
  content?: string;
}): Card {
  return card({
    title: '新增主体责任任务',
    template: 'red',
    elements: [
      ...(v.error ? [markdown(`<font color='red'>${md(v.error)}</font>`)] : []),
      form('task_new', [
        input({
          name: 'content',
          label: '责任内容',
          placeholder: '例如：每月召开支委会研究党风廉政建设工作',
          multiline: true,
          required: true,
          maxLength: 1000,
          defaultValue: v.content,
        }),
        personPicker({
          name: 'owners',
          placeholder: '责任人（可多选）',
          openIds: v.memberOpenIds,
          multi: true,
          required: true,
        }),
        input({ name: 'leader', label: '责任领导', placeholder: '例如：李明华', maxLength: 50 }),
        selectStatic({
          name: 'cadence',
          placeholder: '频次',
          options: [
            { text: '一次性', value: 'once' },
            { text: '每月', value: 'monthly' },
            { text: '每季度', value: 'quarterly' },
            { text: '每半年', value: 'half_yearly' },
            { text: '每年', value: 'yearly' },
          ],
          initial: 'once',
          required: true,
        }),
        datePicker({ name: 'due', placeholder: '完成时限（一次性任务必填；周期任务为每期截止日）' }),
        selectStatic({
          name: 'category',
          placeholder: '类别',
          options: v.categories.map((c) => ({ text: c, value: c })),
          initial: v.categories[0],
          required: true,
        }),
        input({ name: 'evidence', label: '佐证要求（可选）', placeholder: '例如：会议纪要、签到表', maxLength: 200 }),
        button({
          text: '创建',
          type: 'primary',
          value: { a: 'task.create', o: v.orgId },
          submit: { name: 'submit_task_new' },
        }),
      ]),
    ],
  });
}

export interface BoardView {
  orgName: string;
  asOf: string;
  owners: {
    name: string;
    notStarted: number;
    inProgress: number;
    blocked: number;
    done: number;
    overdue: number;
    away: boolean;
  }[];
}

/** The shared status board in the group; it updates itself as owners report. */
export function buildBoardCard(v: BoardView): Card {
  const all = v.owners.map((o) => ({
    name: o.away ? `${o.name}（请假）` : o.name,
    ns: o.notStarted,
    ip: o.inProgress,
    bl: o.blocked,
    dn: o.done,
    od: o.overdue,
  }));
  const totals = all.reduce(
    (t, r) => ({ ns: t.ns + r.ns, ip: t.ip + r.ip, bl: t.bl + r.bl, dn: t.dn + r.dn, od: t.od + r.od }),
    { ns: 0, ip: 0, bl: 0, dn: 0, od: 0 },
  );
  // The card has room for TABLE_ROWS people: past that, those with most overdue or blocked tasks.
  const rows = keepWorst(all, (r) => r.od * 1000 + r.bl);
  return card({
    title: `主体责任落实看板 · ${v.orgName}`,
    subtitle: `更新于 ${v.asOf}`,
    template: 'red',
    elements: [
      markdown(
        `合计：未开始 ${totals.ns}，进行中 ${totals.ip}，遇到困难 ${totals.bl}，已完成 ${totals.dn}，逾期 **${totals.od}**`,
      ),
      table({
        columns: [
          { name: 'name', title: '责任人' },
          { name: 'ns', title: '未开始' },
          { name: 'ip', title: '进行中' },
          { name: 'bl', title: '遇到困难' },
          { name: 'dn', title: '已完成' },
          { name: 'od', title: '逾期' },
        ],
        rows,
      }),
      ...(all.length > rows.length
        ? [
            note(
              `共 ${all.length} 位责任人，这里显示逾期和遇到困难较多的 ${rows.length} 位；全部情况请管理员发送 /任务 导出 获取台账文件。`,
            ),
          ]
        : []),
    ],
  });
}

/** 月月提: one private checklist of an owner's open tasks, each with quick buttons. */
export function buildChecklistCard(v: {
  orgId: number;
  month: string;
  name: string;
  tasks: { id: number; content: string; dueDate: string; statusLabel: string; overdue: boolean }[];
}): Card {
  const elements: CardElement[] = [
    markdown(`${md(v.name, 30)}，这是您本月需要落实的主体责任任务（${v.tasks.length} 项）：`),
  ];
  // Each row costs 10 elements (text, columns, buttons, their texts, the confirmation): the card
  // keeps within Feishu's 200 with CHECKLIST_ROWS rows, overdue ones first; the rest is /任务.
  const shown = [...v.tasks]
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate))
    .slice(0, CHECKLIST_ROWS);
  for (const t of shown) {
    elements.push(
      markdown(
        `**#${t.id}** ${md(t.content, 50)}\n<font color='grey'>时限 ${t.dueDate} · ${md(t.statusLabel)}</font>${t.overdue ? " <font color='red'>逾期</font>" : ''}`,
      ),
      buttonRow([
        button({
          text: '更新进度',
          type: 'primary',
          value: { a: 'task.form', form: 'progress', id: t.id, o: v.orgId },
        }),
        button({
          text: '已完成',
          value: { a: 'task.quickdone', id: t.id, o: v.orgId },
          confirm: { title: '确认已完成', text: `#${t.id} 本期已完成？` },
        }),
      ]),
    );
  }
  if (v.tasks.length > shown.length)
    elements.push(note(`其余 ${v.tasks.length - shown.length} 项请发送 /任务 列表 我的 查看（可翻页）。`));
  return card({
    title: `月月提 · ${v.month}`,
    template: 'blue',
    summary: `本月主体责任任务 ${v.tasks.length} 项`,
    elements,
  });
}

export const MIN_REPORT_LENGTH = 50;
/** The report comes in up to 3 inputs of 1000 characters (Feishu's limit per input), joined. */
export const REPORT_PARTS = 3;

/** 季季报: the quarterly 履责 report form. */
export function buildQuarterlyAskCard(v: {
  orgId: number;
  quarter: string;
  end: string;
  submitted?: { text: string; at: string };
}): Card {
  if (v.submitted) {
    return card({
      title: `季度履责报告 · ${v.quarter}`,
      template: 'green',
      elements: [markdown(`已于 ${md(v.submitted.at)} 提交。`), plainText(v.submitted.text, { max: 1500 })],
    });
  }
  return card({
    title: `季度履责报告 · ${v.quarter}`,
    template: 'orange',
    elements: [
      markdown(`请在 ${v.end} 前报告本季度落实主体责任、履行“一岗双责”的情况（不少于 ${MIN_REPORT_LENGTH} 字）。`),
      form('quarterly_report', [
        ...longTextInputs({
          name: 'text',
          label: '履责情况',
          placeholder: '本季度做了哪些工作、取得什么成效、存在什么问题、下一步打算',
          required: true,
          parts: REPORT_PARTS,
        }),
        input({ name: 'evidence', label: '佐证材料链接（可选）', placeholder: 'https://…', maxLength: 500 }),
        button({
          text: '提交报告',
          type: 'primary',
          value: { a: 'task.report', q: v.quarter, o: v.orgId },
          submit: { name: 'submit_report' },
        }),
      ]),
    ],
  });
}

export interface RollupView {
  orgName: string;
  quarter: string;
  owners: {
    name: string;
    done: number;
    inProgress: number;
    overdue: number;
    missed: number;
    reported: boolean;
    away: boolean;
  }[];
  items: { seq: number; content: string; done: number; total: number; overdue: number; missed: number }[];
}

/** The secretary's quarter-end roll-up: per owner and per item. */
export function buildRollupCard(v: RollupView): Card {
  const notReported = v.owners.filter((o) => !o.reported && !o.away).map((o) => o.name);
  const owners = keepWorst(v.owners, (o) => (o.overdue + o.missed) * 2 + (o.reported ? 0 : 1));
  const items = keepWorst(v.items, (i) => i.overdue + i.missed);
  const names = notReported.slice(0, NAMES_SHOWN).map((n) => md(n, 20));
  return card({
    title: `季季报汇总 · ${v.quarter}`,
    subtitle: v.orgName,
    template: 'red',
    elements: [
      markdown(
        notReported.length
          ? `**未提交履责报告**：${names.join('、')}${notReported.length > names.length ? ` 等 ${notReported.length} 人` : ''}`
          : '**全部责任人已提交履责报告。**',
      ),
      table({
        columns: [
          { name: 'name', title: '责任人' },
          { name: 'done', title: '已完成' },
          { name: 'ip', title: '进行中' },
          { name: 'od', title: '逾期' },
          { name: 'ms', title: '未完成' },
          { name: 'rp', title: '履责报告' },
        ],
        rows: owners.map((o) => ({
          name: o.name,
          done: o.done,
          ip: o.inProgress,
          od: o.away ? '—' : o.overdue,
          ms: o.missed,
          rp: o.away ? '请假' : o.reported ? '已提交' : '未提交',
        })),
      }),
      table({
        columns: [
          { name: 'item', title: '责任内容' },
          { name: 'done', title: '完成' },
          { name: 'od', title: '逾期' },
          { name: 'ms', title: '未完成' },
        ],
        rows: items.map((i) => ({
          item: `${i.seq}. ${clean(i.content, 30)}`,
          done: `${i.done}/${i.total}`,
          od: i.overdue,
          ms: i.missed,
        })),
      }),
      note(
        owners.length < v.owners.length || items.length < v.items.length
          ? `共 ${v.owners.length} 位责任人、${v.items.length} 项任务，这里显示逾期和未完成较多的部分；全部情况见随后发送的《主体责任落实台账》。`
          : '本季度《主体责任落实台账》已随后发送。',
      ),
    ],
  });
}

export function buildDutyListCard(v: {
  title: string;
  items: { seq: number; category: string; content: string; leader: string; owners: string[]; cadence: string }[];
}): Card {
  const shown = v.items.slice(0, DUTY_ITEMS_SHOWN);
  return card({
    title: v.title,
    subtitle: `共 ${v.items.length} 项`,
    template: 'red',
    elements: [
      markdown(
        shown
          .map(
            (i) =>
              `**${i.seq}.** 【${md(i.category, 20)}】${md(i.content, 60)}\n<font color='grey'>${md(i.cadence, 10)} · 责任领导 ${md(i.leader || '—', 20)} · 责任人 ${md(i.owners.join('、') || '—', 40)}</font>`,
          )
          .join('\n\n') || '还没有主体责任清单。管理员可用 /任务 新建 添加，或把清单 .xlsx 发给清风导入。',
      ),
      ...(v.items.length > shown.length
        ? [
            note(
              `这里显示前 ${shown.length} 项；完整清单请管理员发送 /任务 导出 获取台账文件，您自己的任务请发送 /任务 列表 我的 查看。`,
            ),
          ]
        : []),
    ],
  });
}
