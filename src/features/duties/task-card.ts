/**
 * Responsibility-list cards: the owner's task card (更新进度 / 已完成 / 遇到困难), the list and the new
 * item form. The board, 月月提, 季季报 and the duty list are in duty-cards.ts (re-exported here).
 * Pure builders.
 */

import { rowWithButton, type StatusCount, statusChart, summaryElement } from '../../cards/list-summary.ts';
import type { PagedListView } from '../../cards/paging.ts';
import {
  buttonRow,
  datePicker,
  divider,
  form,
  input,
  markdown,
  note,
  pagedListCard,
  personPicker,
  plainText,
  selectStatic,
} from '../../cards/parts.ts';
import { periodText } from '../../cards/period-text.ts';
import { clean, md } from '../../cards/text.ts';
import {
  evidenceList,
  historySection,
  leaderInput,
  listLine,
  newItemFormCard,
  ownerLine,
  redIf,
  textSection,
  trackedItemCard,
} from '../../cards/tracked-item.ts';
import type { Card, CardElement, HeaderTemplate } from '../../core/card.ts';
import {
  taskBlocked,
  taskCreate,
  taskDone,
  taskForm,
  taskOpen,
  taskPage,
  taskProgress,
  taskReview,
} from './contracts.ts';
import { namesText } from './duty-cards.ts';

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
  /**
   * Every owner of the item (this task's first): a task is one owner's, and the card says who else is
   * responsible for the item (issue 18 item 5). Absent or one name: this task's owner alone.
   */
  owners?: readonly string[];
  dueDate: string;
  dueText: string;
  overdue: boolean;
  status: string;
  statusLabel: string;
  percent: number;
  evidenceRequired: string;
  /** 下发 (issue-tags.ts): 上级下发：机关党委 on a 支部's copy, 已下发 3 个支部 · 已完成 2 on the 党委's item. */
  origin?: string;
  /**
   * The meeting the item names (支委会 …): a held one of the period, linked as 关联记录, evidences it
   * (src/features/duties/linked.ts). Undefined for other items.
   */
  linked?: { label: string; verb: string };
  /** The reader may accept or return this task (it is 待验收; they are its 书记 or 纪检委员, not its owner). */
  mayReview?: boolean;
  /**
   * Read privately by someone other than its owner (the 书记 or 纪检委员 who reviewed it, an admin's
   * /任务 查看): the owner's buttons, which would refuse them, are left off. The owner's card and a
   * shared (group) card keep them.
   */
  othersCopy?: boolean;
  /**
   * The 书记 or 纪检委员 returned it (验收退回) and its owner has not reported since: who, when (local
   * time) and why. Shown as 已退回 until the owner reports again.
   */
  returned?: { by: string; at: string; reason: string };
  lastProgress: { at: string; text: string } | undefined;
  evidence: { kind: string; name: string }[];
  history: { at: string; by: string; text: string }[];
}

export type TaskCardMode = 'view' | 'progress' | 'blocked';

/** A file, a link, or a linked record (its name already says 关联记录). */
const evidenceMark = (e: { kind: string }) => (e.kind === 'file' ? '📎 ' : e.kind === 'link' ? '🔗 ' : '');

const TEMPLATES: Record<string, HeaderTemplate> = {
  not_started: 'blue',
  in_progress: 'wathet',
  done: 'green',
  blocked: 'orange',
  missed: 'grey',
  submitted: 'purple',
  accepted: 'green',
};

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: TaskView) => taskForm.button({ text: '取消', org: v.orgId }, { id: v.id, form: 'view' });

export function buildTaskCard(v: TaskView, mode: TaskCardMode = 'view'): Card {
  const open = v.status === 'not_started' || v.status === 'in_progress' || v.status === 'blocked';
  const elements: CardElement[] = [
    markdown(
      [
        `**类别**：${md(v.category)}　**频次**：${md(v.cadenceLabel)}${v.period !== 'once' ? `（${periodText({ key: v.period })}）` : ''}`,
        ownersLine(v),
        `**本期时限**：${v.dueDate}　${redIf(v.overdue, md(v.dueText))}`,
        `**状态**：${md(v.statusLabel)}　**进度**：${v.percent}%`,
        ...(v.origin ? [`<font color='grey'>${md(v.origin, 60)}</font>`] : []),
      ].join('\n'),
    ),
    ...(v.returned ? returnedMark(v.returned) : []),
    ...(shared(v)
      ? [
          markdown(
            `<font color='grey'>本卡片是${md(v.ownerName, 20)}的任务；每位责任人各有一张任务卡片，分别报告进展。</font>`,
          ),
        ]
      : []),
    ...textSection('责任内容', v.content),
  ];
  if (v.evidenceRequired) elements.push(markdown(`**佐证要求**：${md(v.evidenceRequired, 200)}`));
  if (v.linked)
    elements.push(
      note(
        `本期已${md(v.linked.verb, 2)}的${md(v.linked.label, 10)}（完成签到${v.evidenceRequired ? '，需要纪要的记录纪要' : ''}）由清风自动作为关联记录附为佐证。`,
      ),
    );
  if (v.lastProgress)
    elements.push(markdown(`**最近进展**（${md(v.lastProgress.at)}）`), plainText(v.lastProgress.text, { max: 500 }));
  if (v.evidence.length > 0) elements.push(evidenceList(v.evidence, 6, evidenceMark));
  if (v.history.length > 0) {
    elements.push(
      historySection(
        '进展记录',
        v.history,
        (h) => `- ${md(h.at)} ${md(h.by, 20)}：${md(h.text, 120)}`,
        `/任务 记录 ${v.id}`,
      ),
    );
  }
  // The owner's buttons and forms: on the owner's card and a shared one, not on someone else's copy.
  const ownerTools = open && !v.othersCopy;
  if (ownerTools && mode === 'progress') {
    elements.push(
      divider(),
      form(`task_progress_${v.id}`, [
        selectStatic({
          name: taskProgress.fields.status,
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
          name: taskProgress.fields.percent,
          placeholder: '完成进度',
          options: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => ({ text: `${p}%`, value: String(p) })),
          initial: String(Math.round(v.percent / 10) * 10),
          required: true,
        }),
        input({
          name: taskProgress.fields.done,
          label: '做了什么',
          placeholder: '本期落实情况',
          multiline: true,
          required: true,
          maxLength: 1000,
        }),
        input({
          name: taskProgress.fields.link,
          label: v.evidenceRequired && !v.linked ? '佐证材料（标记已完成时必填）' : '佐证材料链接或说明（可选）',
          placeholder: v.evidenceRequired ? '文档或网盘链接，或文字说明；文件可在单聊中发给清风' : '文档或网盘链接',
          maxLength: 500,
        }),
        taskProgress.button(
          { text: '提交', type: 'primary', submit: { name: 'submit_task' }, org: v.orgId },
          { id: v.id, ver: v.version },
        ),
      ]),
      cancelButton(v),
    );
  } else if (ownerTools && mode === 'blocked') {
    elements.push(
      divider(),
      form(`task_blocked_${v.id}`, [
        input({
          name: taskBlocked.fields.reason,
          label: '遇到的困难',
          placeholder: '说明困难和需要的支持，将通知书记',
          multiline: true,
          required: true,
          maxLength: 500,
        }),
        taskBlocked.button(
          { text: '提交并通知书记', type: 'danger', submit: { name: 'submit_blocked' }, org: v.orgId },
          { id: v.id, ver: v.version },
        ),
      ]),
      cancelButton(v),
    );
  } else if (v.status === 'submitted' && v.mayReview) {
    elements.push(
      divider(),
      form(`task_review_${v.id}`, [
        input({
          name: taskReview.fields.reason,
          label: '退回理由（退回时必填）',
          placeholder: '佐证材料缺什么、还需做什么',
          multiline: true,
          maxLength: 500,
        }),
        taskReview.button(
          { text: '验收通过', type: 'primary', submit: { name: 'submit_accept' }, org: v.orgId },
          { id: v.id, ver: v.version, d: 'accept' },
        ),
        taskReview.button(
          { text: '退回', type: 'danger', submit: { name: 'submit_return' }, org: v.orgId },
          { id: v.id, ver: v.version, d: 'return' },
        ),
      ]),
    );
  } else if (ownerTools) {
    elements.push(
      buttonRow([
        taskForm.button({ text: '更新进度', type: 'primary', org: v.orgId }, { id: v.id, form: 'progress' }),
        taskDone.button(
          {
            text: '已完成',
            confirm: { title: '确认已完成', text: `确认“${clean(v.content, 40)}”本期已完成？` },
            org: v.orgId,
          },
          { id: v.id, ver: v.version },
        ),
        taskForm.button({ text: '遇到困难', type: 'danger', org: v.orgId }, { id: v.id, form: 'blocked' }),
      ]),
    );
  }
  const c = trackedItemCard({
    title: `责任任务 #${v.id}`,
    subtitle: v.content,
    status: v.status,
    statusLabel: v.statusLabel,
    templates: TEMPLATES,
    finished: v.status === 'accepted' ? 'accepted' : 'done',
    late: v.overdue,
    open,
    elements,
  });
  return v.returned ? markReturned(c, v.overdue) : c;
}

/** The item has owners beside this task's. */
const shared = (v: TaskView) => (v.owners?.length ?? 0) > 1;

/**
 * `**责任人**：… **责任领导**：…`: every owner of the item, joined as lists of people are elsewhere
 * (the first NAMES_SHOWN, then "等 N 人": the card stays within Feishu's size for any number of owners).
 */
function ownersLine(v: TaskView): string {
  if (!v.owners || !shared(v)) return ownerLine(v.ownerName, v.leader);
  return `**责任人**：${namesText(v.owners)}　**责任领导**：${md(v.leader || '—')}`;
}

/** 已退回 in the warning colour (as 遇到困难 and the rectification's 待审核 are drawn). */
const RETURNED_COLOUR = 'orange';

/** The return under the status line: who returned it and when, and the reason as they wrote it. */
function returnedMark(r: NonNullable<TaskView['returned']>): CardElement[] {
  return [
    markdown(
      `<font color='${RETURNED_COLOUR}'>**验收退回**：${md(r.by || '验收人', 20)}于 ${md(r.at)} 退回，请责任人补充后重新报告完成。</font>`,
    ),
    plainText(`退回理由：${r.reason}`, { max: 500 }),
  ];
}

/** The header of a returned task: tagged 已退回 beside its status, in orange unless it is overdue (red). */
function markReturned(c: Card, overdue: boolean): Card {
  const header = c.header;
  if (!header) return c;
  const tag = {
    tag: 'text_tag' as const,
    text: { tag: 'plain_text' as const, content: '已退回' },
    color: RETURNED_COLOUR,
  };
  return {
    ...c,
    config: { ...c.config, summary: { content: `${header.title.content}：已退回，待重新报告` } },
    header: {
      ...header,
      template: overdue ? header.template : RETURNED_COLOUR,
      text_tag_list: [...(header.text_tag_list ?? []), tag],
    },
  };
}

export interface TaskListView extends PagedListView {
  rows: { id: number; content: string; ownerName: string; dueDate: string; statusLabel: string; overdue: boolean }[];
  /** Whose tasks `counts` are of, this year ("本年度全部任务", "我的任务（本年度）"). */
  scope: string;
  /** Those tasks by status (`taskStatusCounts` in list.ts): what the completion rate is of. */
  counts: StatusCount[];
}

/**
 * The open tasks with paging buttons: the year's counts by status and the completion rate, a pie of
 * them, then each row beside its 查看 button.
 */
export function buildTaskListCard(v: TaskListView): Card {
  const lines = v.rows.map((r) => listLine({ ...r, text: r.content, date: r.dueDate }, r.overdue ? '逾期' : undefined));
  return pagedListCard({
    ...v,
    lines,
    rowElements: lines.map((line, n) =>
      rowWithButton(line, taskOpen.button({ text: '查看', org: v.orgId }, { id: v.rows[n]?.id ?? 0 })),
    ),
    head: [summaryElement(v.counts, { scope: v.scope }), ...statusChart(`${v.scope}落实情况`, v.counts)],
    empty: '没有符合条件的任务。',
    hint: '点“查看”或发送 /任务 查看 编号 打开任务卡片。',
    action: taskPage,
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
  return newItemFormCard({
    title: '新增主体责任任务',
    template: 'red',
    error: v.error,
    formName: 'task_new',
    fields: [
      input({
        name: taskCreate.fields.content,
        label: '责任内容',
        placeholder: '例如：每月召开支委会研究党风廉政建设工作',
        multiline: true,
        required: true,
        maxLength: 1000,
        defaultValue: v.content,
      }),
      personPicker({
        name: taskCreate.fields.owners,
        placeholder: '责任人（可多选）',
        openIds: v.memberOpenIds,
        multi: true,
        required: true,
      }),
      leaderInput(taskCreate.fields.leader),
      selectStatic({
        name: taskCreate.fields.cadence,
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
      datePicker({ name: taskCreate.fields.due, placeholder: '完成时限（一次性任务必填；周期任务为每期截止日）' }),
      selectStatic({
        name: taskCreate.fields.category,
        placeholder: '类别',
        options: v.categories.map((c) => ({ text: c, value: c })),
        initial: v.categories[0],
        required: true,
      }),
      input({
        name: taskCreate.fields.evidence,
        label: '佐证要求（可选）',
        placeholder: '例如：会议纪要、签到表',
        maxLength: 200,
      }),
      taskCreate.button({ text: '创建', type: 'primary', submit: { name: 'submit_task_new' }, org: v.orgId }, {}),
    ],
  });
}

export {
  type BoardView,
  buildBoardCard,
  buildChecklistCard,
  buildDutyListCard,
  buildQuarterlyAskCard,
  buildRollupCard,
  CHECKLIST_ROWS,
  MIN_REPORT_LENGTH,
  REPORT_PARTS,
  type RollupCounts,
  type RollupView,
} from './duty-cards.ts';
