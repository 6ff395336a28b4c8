/**
 * The responsibility list at a glance: the group status board, the monthly checklist (月月提), the
 * quarterly report form and the secretary's quarter-end roll-up (季季报), the duty list. Pure builders.
 */

import { completionRate, type StatusCount, statusChart, summaryLine } from '../../cards/list-summary.ts';
import { buttonRow, card, form, input, longTextInputs, markdown, note, plainText, table } from '../../cards/parts.ts';
import { periodText } from '../../cards/period-text.ts';
import { clean, md } from '../../cards/text.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { REPORT_PARTS, taskForm, taskQuickdone, taskReport } from './contracts.ts';

/** Rows of a table on one card (its 10-row pages hold the rest on the card); more go to a file. */
const TABLE_ROWS = 60;
/** Rows of each table on the 季季报 roll-up: fewer than TABLE_ROWS, so its status chart fits in 30 KB. */
const ROLLUP_ROWS = 50;
/** Rows of the 月月提 checklist on one card (10 elements each; Feishu allows 200 per card). */
export const CHECKLIST_ROWS = 15;
/** Items of the 主体责任清单 shown on its card. */
const DUTY_ITEMS_SHOWN = 30;
/** Names listed inline before "等". */
export const NAMES_SHOWN = 30;

/**
 * Names joined as the product lists people ("王纪检、张组织"): the first `shown`, each cut to 20
 * characters, then "等 N 人" for a longer list (already escaped for markdown).
 */
export function namesText(names: readonly string[], shown = NAMES_SHOWN): string {
  const listed = names.slice(0, shown).map((n) => md(n, 20));
  return `${listed.join('、')}${names.length > listed.length ? ` 等 ${names.length} 人` : ''}`;
}

/**
 * At most TABLE_ROWS rows, in their order: when there are more, the ones with the highest score
 * (the most overdue) are kept.
 */
function keepWorst<T>(rows: T[], score: (r: T) => number, most = TABLE_ROWS): T[] {
  if (rows.length <= most) return rows;
  const keep = new Set(
    rows
      .map((r, i) => ({ i, s: score(r) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, most)
      .map((x) => x.i),
  );
  return rows.filter((_, i) => keep.has(i));
}

export interface BoardView {
  orgName: string;
  asOf: string;
  owners: {
    name: string;
    notStarted: number;
    inProgress: number;
    blocked: number;
    /** 已完成 with its evidence, waiting for the 书记 or 纪检委员 to accept it (待验收). */
    review: number;
    /** 已完成（已验收）: accepted by the 书记 or 纪检委员. */
    accepted: number;
    /** 已完成: an item that needs no acceptance. */
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
    rv: o.review,
    ac: o.accepted,
    dn: o.done,
    od: o.overdue,
  }));
  const totals = all.reduce(
    (t, r) => ({
      ns: t.ns + r.ns,
      ip: t.ip + r.ip,
      bl: t.bl + r.bl,
      rv: t.rv + r.rv,
      ac: t.ac + r.ac,
      dn: t.dn + r.dn,
      od: t.od + r.od,
    }),
    { ns: 0, ip: 0, bl: 0, rv: 0, ac: 0, dn: 0, od: 0 },
  );
  // 待验收 appears once anything waits for acceptance, 已完成（已验收） once anything was accepted (apart
  // from 已完成, which needed none), so the columns always add up to every task.
  const review = totals.rv > 0;
  const accepted = totals.ac > 0;
  // Each task once, by its own status (逾期 overlaps the open ones, so it is on the line, not the pie).
  const boardCounts: StatusCount[] = [
    { label: '已完成（已验收）', count: totals.ac, done: true },
    { label: '已完成', count: totals.dn, done: true },
    { label: '待验收', count: totals.rv },
    { label: '进行中', count: totals.ip },
    { label: '未开始', count: totals.ns },
    { label: '遇到困难', count: totals.bl },
  ];
  const rate = completionRate(
    totals.ac + totals.dn,
    boardCounts.reduce((n, c) => n + c.count, 0),
  );
  // The card has room for TABLE_ROWS people: past that, those with most overdue or blocked tasks.
  const rows = keepWorst(all, (r) => r.od * 1000 + r.bl).map(({ rv, ac, ...r }) => ({
    ...r,
    ...(review ? { rv } : {}),
    ...(accepted ? { ac } : {}),
  }));
  return card({
    title: `主体责任落实看板 · ${v.orgName}`,
    subtitle: `更新于 ${v.asOf}`,
    template: 'red',
    elements: [
      markdown(
        `合计：未开始 ${totals.ns}，进行中 ${totals.ip}，遇到困难 ${totals.bl}，${review ? `待验收 ${totals.rv}，` : ''}${accepted ? `已完成（已验收） ${totals.ac}，` : ''}已完成 ${totals.dn}，逾期 **${totals.od}**${rate === null ? '' : ` · **完成率 ${rate}%**`}`,
      ),
      ...statusChart('本年度任务落实情况', boardCounts),
      table({
        columns: [
          { name: 'name', title: '责任人' },
          { name: 'ns', title: '未开始' },
          { name: 'ip', title: '进行中' },
          { name: 'bl', title: '遇到困难' },
          ...(review ? [{ name: 'rv', title: '待验收' }] : []),
          ...(accepted ? [{ name: 'ac', title: '已完成（已验收）' }] : []),
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
        taskForm.button({ text: '更新进度', type: 'primary', org: v.orgId }, { id: t.id, form: 'progress' }),
        taskQuickdone.button(
          { text: '已完成', confirm: { title: '确认已完成', text: `#${t.id} 本期已完成？` }, org: v.orgId },
          { id: t.id },
        ),
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
export { REPORT_PARTS };

/** Items listed on the quarterly report form (the rest counted). */
const REPORT_ITEMS_SHOWN = 10;

/**
 * 季季报: the quarterly 履责 report form. An owner reports on the items they own; a leading cadre
 * (`leader`) also on 一岗双责, which is not asked of ordinary 党员.
 */
export function buildQuarterlyAskCard(v: {
  orgId: number;
  quarter: string;
  end: string;
  /** The 责任内容 of the owner's tasks this quarter. */
  items?: readonly string[];
  leader?: boolean;
  submitted?: { text: string; at: string };
}): Card {
  if (v.submitted) {
    return card({
      title: `季度履责报告 · ${periodText({ key: v.quarter })}`,
      template: 'green',
      elements: [markdown(`已于 ${md(v.submitted.at)} 提交。`), plainText(v.submitted.text, { max: 1500 })],
    });
  }
  return card({
    title: `季度履责报告 · ${periodText({ key: v.quarter })}`,
    template: 'orange',
    elements: [
      markdown(
        v.leader
          ? `请在 ${v.end} 前报告本季度落实主体责任、履行“一岗双责”的情况（不少于 ${MIN_REPORT_LENGTH} 字）。`
          : `请在 ${v.end} 前报告本季度您负责的主体责任任务的落实情况（不少于 ${MIN_REPORT_LENGTH} 字）。`,
      ),
      ...reportItems(v.items ?? []),
      form('quarterly_report', [
        ...longTextInputs({
          name: taskReport.fields.text,
          label: '履责情况',
          placeholder: '本季度做了哪些工作、取得什么成效、存在什么问题、下一步打算',
          required: true,
          parts: REPORT_PARTS,
        }),
        input({
          name: taskReport.fields.evidence,
          label: '佐证材料链接（可选）',
          placeholder: 'https://…',
          maxLength: 500,
        }),
        taskReport.button(
          { text: '提交报告', type: 'primary', submit: { name: 'submit_report' }, org: v.orgId },
          { q: v.quarter },
        ),
      ]),
    ],
  });
}

function reportItems(items: readonly string[]): CardElement[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, REPORT_ITEMS_SHOWN).map((c) => `- ${md(c, 60)}`);
  const more = items.length > shown.length ? `\n…共 ${items.length} 项` : '';
  return [markdown(`**您负责的任务**：\n${shown.join('\n')}${more}`)];
}

/**
 * A roll-up row's tasks by status (issue 13 item 3): each task counts once, as the 台账 reads it
 * (model.ts `ledgerStatus`): 逾期 (open, past due, owner not away) before its own status.
 */
export interface RollupCounts {
  /** 已完成（已验收）: the item requires evidence, and the 书记 or 纪检委员 accepted it. */
  accepted: number;
  /** 已完成: an item that needs no acceptance. */
  done: number;
  /** 待验收. */
  review: number;
  inProgress: number;
  notStarted: number;
  blocked: number;
  overdue: number;
  missed: number;
}

export interface RollupView {
  orgName: string;
  quarter: string;
  owners: (RollupCounts & { name: string; reported: boolean; away: boolean })[];
  items: (RollupCounts & { seq: number; content: string })[];
}

/** The status columns of both roll-up tables, in the order of the issue and the 台账; they add up to every task. */
const ROLLUP_COLUMNS = [
  { name: 'ac', title: '已完成（已验收）' },
  { name: 'dn', title: '已完成' },
  { name: 'rv', title: '待验收' },
  { name: 'ip', title: '进行中' },
  { name: 'ns', title: '未开始' },
  { name: 'bl', title: '遇到困难' },
  { name: 'od', title: '逾期' },
  { name: 'ms', title: '未完成' },
];

function rollupCells(c: RollupCounts, away = false): Record<string, number | string> {
  return {
    ac: c.accepted,
    dn: c.done,
    rv: c.review,
    ip: c.inProgress,
    ns: c.notStarted,
    bl: c.blocked,
    od: away ? '—' : c.overdue,
    ms: c.missed,
  };
}

/** Every owner's tasks together, by status in the 台账's order (each task once): the line and the rate. */
function rollupCounts(owners: readonly RollupCounts[]): StatusCount[] {
  const sum = (k: keyof RollupCounts) => owners.reduce((n, o) => n + o[k], 0);
  return [
    { label: '已完成（已验收）', count: sum('accepted'), done: true },
    { label: '已完成', count: sum('done'), done: true },
    { label: '待验收', count: sum('review') },
    { label: '进行中', count: sum('inProgress') },
    { label: '未开始', count: sum('notStarted') },
    { label: '遇到困难', count: sum('blocked') },
    { label: '逾期', count: sum('overdue'), late: true },
    { label: '未完成', count: sum('missed') },
  ];
}

/** The secretary's quarter-end roll-up: per owner and per item. */
export function buildRollupCard(v: RollupView): Card {
  const notReported = v.owners.filter((o) => !o.reported && !o.away).map((o) => o.name);
  const owners = keepWorst(v.owners, (o) => (o.overdue + o.missed) * 2 + (o.reported ? 0 : 1), ROLLUP_ROWS);
  const items = keepWorst(v.items, (i) => i.overdue + i.missed, ROLLUP_ROWS);
  return card({
    title: `季季报汇总 · ${periodText({ key: v.quarter })}`,
    subtitle: v.orgName,
    template: 'red',
    elements: [
      markdown(
        // "全部已提交" only when someone was asked: never for a quarter with nothing due, nor when every
        // owner was on leave (and so asked nothing).
        v.owners.length === 0
          ? '**本季度没有到期的责任任务。**'
          : notReported.length
            ? `**未提交履责报告**：${namesText(notReported)}`
            : v.owners.every((o) => o.away && !o.reported)
              ? '**本季度的责任人均在请假，没有需要提交的履责报告。**'
              : '**全部责任人已提交履责报告。**',
      ),
      ...(v.owners.length > 0
        ? [
            markdown(`**本季度任务**：${summaryLine(rollupCounts(v.owners))}`),
            ...statusChart('本季度任务状态', rollupCounts(v.owners)),
          ]
        : []),
      table({
        columns: [{ name: 'name', title: '责任人' }, ...ROLLUP_COLUMNS, { name: 'rp', title: '履责报告' }],
        rows: owners.map((o) => ({
          name: o.name,
          ...rollupCells(o, o.away),
          rp: o.away ? '请假' : o.reported ? '已提交' : '未提交',
        })),
      }),
      table({
        columns: [{ name: 'item', title: '责任内容' }, ...ROLLUP_COLUMNS],
        rows: items.map((i) => ({ item: `${i.seq}. ${clean(i.content, 30)}`, ...rollupCells(i) })),
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
  items: {
    seq: number;
    category: string;
    content: string;
    leader: string;
    owners: string[];
    cadence: string;
    /** The 佐证材料 the item requires (empty or absent: none). */
    evidence?: string;
    /** Where it came from or went (issue-tags.ts): 上级下发：机关党委, 已下发 3 个支部 · 已完成 2. */
    origin?: string;
  }[];
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
              `**${i.seq}.** 【${md(i.category, 20)}】${md(i.content, 60)}\n<font color='grey'>${md(i.cadence, 10)} · 责任领导 ${md(i.leader || '—', 20)} · 责任人 ${md(i.owners.join('、') || '—', 40)}${i.evidence ? ` · 佐证 ${md(i.evidence, 30)}` : ''}${i.origin ? ` · ${md(i.origin, 20)}` : ''}</font>`,
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
