/**
 * Rectification cards: the owner's item card (with its progress, 销号 and extension forms), the
 * reviewers' card, the list, the new-item form and the extension decision. Pure builders.
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
  markdown,
  note,
  pagedListCard,
  personPicker,
  plainText,
  selectStatic,
} from './parts.ts';
import { md } from './text.ts';

export interface RectItemView {
  id: number;
  orgId: number;
  version: number;
  status: string;
  statusLabel: string;
  kind: string;
  kindLabel: string;
  source: string;
  batchName: string | undefined;
  problem: string;
  measures: string;
  leader: string;
  ownerOpenId: string;
  ownerName: string;
  area: string;
  deadline: string;
  deadlineText: string;
  late: boolean;
  progress: number;
  lastProgress: { at: string; by: string; text: string; percent: number | null } | undefined;
  history: { at: string; by: string; label: string; text: string }[];
  evidence: { kind: string; name: string; value: string }[];
  reviewer: { name: string; at: string } | undefined;
  pendingExtension: { id: number; newDeadline: string; reason: string } | undefined;
}

export type ItemCardMode = 'view' | 'progress' | 'close' | 'extend';

const STATUS_TEMPLATE: Record<string, HeaderTemplate> = {
  pending: 'blue',
  in_progress: 'wathet',
  review: 'orange',
  closed: 'green',
  ongoing: 'turquoise',
  returned: 'red',
};

const ref = (v: RectItemView) => ({ id: v.id, o: v.orgId });

/** Entries of the history shown on a card; the rest is one command away (/整改 记录). */
export const HISTORY_ON_CARD = 10;

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: RectItemView, action = 'rectify.form') =>
  button({ text: '取消', value: { a: action, form: 'view', ...ref(v) } });

function summaryLines(v: RectItemView): CardElement[] {
  const late = v.late && v.status !== 'closed' ? "<font color='red'>" : '';
  const lateEnd = late ? '</font>' : '';
  return [
    markdown(
      [
        `**状态**：${md(v.statusLabel)}　**类型**：${md(v.kindLabel)}　**来源**：${md(v.source)}${v.batchName ? `（${md(v.batchName)}）` : ''}`,
        `**责任人**：${md(v.ownerName)}　**责任领导**：${md(v.leader || '—')}${v.area ? `　**领域**：${md(v.area)}` : ''}`,
        `**整改时限**：${v.deadline}　${late}${md(v.deadlineText)}${lateEnd}${v.late ? '　<text_tag color=red>逾期</text_tag>' : ''}`,
        `**整改进度**：${v.progress}%`,
      ].join('\n'),
    ),
    markdown('**问题描述**'),
    plainText(v.problem, { max: 1500 }),
    markdown('**整改措施**'),
    plainText(v.measures || '（未填写）', { max: 1500 }),
  ];
}

function detailLines(v: RectItemView): CardElement[] {
  const out: CardElement[] = [];
  if (v.lastProgress) {
    out.push(
      markdown(
        `**最近进展**（${md(v.lastProgress.at)}，${md(v.lastProgress.by)}${v.lastProgress.percent !== null ? `，${v.lastProgress.percent}%` : ''}）`,
      ),
      plainText(v.lastProgress.text, { max: 500 }),
    );
  }
  if (v.evidence.length > 0) {
    out.push(
      markdown(
        `**佐证材料**（${v.evidence.length}）\n${v.evidence
          .slice(-8)
          .map((e) => `- ${e.kind === 'file' ? '📎 ' : e.kind === 'link' ? '🔗 ' : ''}${md(e.name, 80)}`)
          .join('\n')}`,
      ),
    );
  }
  if (v.reviewer) out.push(markdown(`**销号审核**：${md(v.reviewer.name, 20)}，${md(v.reviewer.at)}`));
  if (v.pendingExtension) {
    out.push(
      markdown(`**延期申请待批**：延至 ${v.pendingExtension.newDeadline}`),
      plainText(`理由：${v.pendingExtension.reason}`, { max: 500 }),
    );
  }
  if (v.history.length > 0) {
    const shown = v.history.slice(-HISTORY_ON_CARD);
    out.push(
      collapsible(`历史记录（${v.history.length}）`, [
        markdown(
          shown
            .map((h) => `- ${md(h.at)} ${md(h.by, 20)}：${md(h.label, 20)}${h.text ? ` — ${md(h.text, 120)}` : ''}`)
            .join('\n'),
        ),
        ...(v.history.length > shown.length
          ? [note(`共 ${v.history.length} 条，这里显示最近 ${shown.length} 条；完整记录请发送 /整改 记录 ${v.id}。`)]
          : []),
      ]),
    );
  }
  return out;
}

function progressForm(v: RectItemView): CardElement {
  return form(`progress_${v.id}`, [
    selectStatic({
      name: 'percent',
      placeholder: '完成进度',
      options: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => ({ text: `${p}%`, value: String(p) })),
      initial: String(Math.min(100, Math.max(10, Math.round(v.progress / 10) * 10 || 10))),
      required: true,
    }),
    input({
      name: 'done',
      label: '本次完成了什么',
      placeholder: '简要说明做了哪些整改工作',
      multiline: true,
      required: true,
      maxLength: 1000,
    }),
    input({
      name: 'link',
      label: '佐证材料链接（可选）',
      placeholder: '飞书文档或网盘链接；文件可直接发给清风',
      maxLength: 500,
    }),
    button({
      text: '提交进展',
      type: 'primary',
      value: { a: 'rectify.progress', ver: v.version, ...ref(v) },
      submit: { name: 'submit_progress' },
    }),
  ]);
}

function closeForm(v: RectItemView): CardElement {
  return form(`close_${v.id}`, [
    markdown(
      v.evidence.length > 0
        ? `已有 ${v.evidence.length} 份佐证材料。可再补充链接或说明；文件请直接发给清风。`
        : '申请销号需要佐证材料：填写链接或说明，或先把文件发给清风并附到本事项。',
    ),
    input({ name: 'link', label: '佐证材料链接', placeholder: 'https://…', maxLength: 500 }),
    input({
      name: 'note',
      label: '整改完成情况说明',
      placeholder: '整改措施落实情况、取得的成效',
      multiline: true,
      maxLength: 1000,
    }),
    button({
      text: '提交销号申请',
      type: 'primary',
      value: { a: 'rectify.submit', ver: v.version, ...ref(v) },
      submit: { name: 'submit_close' },
    }),
  ]);
}

function extendForm(v: RectItemView): CardElement {
  return form(`extend_${v.id}`, [
    datePicker({ name: 'date', placeholder: '延期至', initial: v.deadline, required: true }),
    input({
      name: 'reason',
      label: '延期理由',
      placeholder: '说明无法按期完成的原因',
      multiline: true,
      required: true,
      maxLength: 500,
    }),
    button({
      text: '提交延期申请',
      type: 'primary',
      value: { a: 'rectify.extend', ver: v.version, ...ref(v) },
      submit: { name: 'submit_extend' },
    }),
  ]);
}

/** The owner's item card. Buttons act for whoever presses them; the router checks who that is. */
export function buildRectItemCard(v: RectItemView, mode: ItemCardMode = 'view'): Card {
  const open = v.status !== 'closed';
  const canWork = open && v.status !== 'review';
  const elements: CardElement[] = [...summaryLines(v), ...detailLines(v)];
  if (mode === 'progress' && canWork) elements.push(divider(), progressForm(v), cancelButton(v));
  else if (mode === 'close' && canWork) elements.push(divider(), closeForm(v), cancelButton(v));
  else if (mode === 'extend' && open) elements.push(divider(), extendForm(v), cancelButton(v));
  else if (open) {
    const buttons: CardElement[] = [];
    if (canWork) {
      buttons.push(
        button({ text: '报告进展', type: 'primary', value: { a: 'rectify.form', form: 'progress', ...ref(v) } }),
        button({ text: '申请销号', value: { a: 'rectify.form', form: 'close', ...ref(v) } }),
      );
    }
    if (!v.pendingExtension)
      buttons.push(button({ text: '申请延期', value: { a: 'rectify.form', form: 'extend', ...ref(v) } }));
    if (buttons.length > 0) elements.push(buttonRow(buttons));
    if (v.status === 'review')
      elements.push(markdown("<font color='grey'>已提交销号申请，等待纪检委员或书记审核。</font>"));
  }
  return card({
    title: `整改事项 #${v.id}`,
    subtitle: v.problem,
    template: v.late && open ? 'red' : (STATUS_TEMPLATE[v.status] ?? 'blue'),
    tags: [{ text: v.statusLabel, color: v.status === 'closed' ? 'green' : v.late ? 'red' : 'blue' }],
    summary: `整改事项 #${v.id}：${v.statusLabel}`,
    elements,
  });
}

export type ReviewCardMode = 'view' | 'return';

/** The reviewers' card: the evidence, 通过销号 / (长期整改) 阶段性完成 / 退回 with a reason. */
export function buildRectReviewCard(v: RectItemView, mode: ReviewCardMode = 'view'): Card {
  const elements: CardElement[] = [...summaryLines(v), ...detailLines(v)];
  if (v.status === 'review') {
    if (mode === 'return') {
      elements.push(
        divider(),
        form(`return_${v.id}`, [
          input({
            name: 'reason',
            label: '退回理由',
            placeholder: '说明还需补充或整改的内容',
            multiline: true,
            required: true,
            maxLength: 500,
          }),
          button({
            text: '确认退回',
            type: 'danger',
            value: { a: 'rectify.return', ver: v.version, ...ref(v) },
            submit: { name: 'submit_return' },
          }),
        ]),
        cancelButton(v, 'rectify.review_form'),
      );
    } else {
      const buttons = [
        button({
          text: '通过销号',
          type: 'primary',
          value: { a: 'rectify.approve', ver: v.version, decision: 'close', ...ref(v) },
          confirm: { title: '确认销号', text: `确认整改事项 #${v.id} 已整改到位并销号？` },
        }),
      ];
      if (v.kind === 'long_term') {
        buttons.push(
          button({
            text: '阶段性完成',
            value: { a: 'rectify.approve', ver: v.version, decision: 'ongoing', ...ref(v) },
          }),
        );
      }
      buttons.push(
        button({ text: '退回', type: 'danger', value: { a: 'rectify.review_form', form: 'return', ...ref(v) } }),
      );
      elements.push(divider(), buttonRow(buttons));
    }
  }
  return card({
    title: `销号审核 · 整改事项 #${v.id}`,
    subtitle: v.problem,
    template: v.status === 'review' ? 'orange' : (STATUS_TEMPLATE[v.status] ?? 'blue'),
    tags: [{ text: v.statusLabel, color: v.status === 'closed' ? 'green' : 'orange' }],
    summary: `整改事项 #${v.id} 待审核`,
    elements,
  });
}

export interface RectListView {
  orgId: number;
  title: string;
  filterKey: string;
  page: number;
  pages: number;
  total: number;
  items: {
    id: number;
    problem: string;
    ownerName: string;
    deadline: string;
    deadlineText: string;
    statusLabel: string;
    late: boolean;
  }[];
}

/** A compact list with paging buttons. */
export function buildRectListCard(v: RectListView): Card {
  const lines = v.items.map(
    (i) =>
      `**#${i.id}** ${md(i.problem, 40)}\n<font color='grey'>${md(i.ownerName)} · ${i.deadline} · ${md(i.statusLabel)}</font>${i.late ? ` <font color='red'>${md(i.deadlineText)}</font>` : ''}`,
  );
  return pagedListCard({
    ...v,
    lines,
    empty: '没有符合条件的整改事项。',
    hint: '发送 /整改 查看 编号 查看详情。',
    action: 'rectify.page',
  });
}

/** The form behind `/整改 新建`. */
export function buildRectNewCard(v: {
  orgId: number;
  batches: { id: number; name: string }[];
  memberOpenIds: string[];
  sources: readonly string[];
  error?: string;
}): Card {
  return card({
    title: '新建整改事项',
    template: 'red',
    elements: [
      ...(v.error ? [markdown(`<font color='red'>${md(v.error)}</font>`)] : []),
      form('rect_new', [
        input({
          name: 'problem',
          label: '问题描述',
          placeholder: '巡察/审计反馈的问题',
          multiline: true,
          required: true,
          maxLength: 1000,
        }),
        input({
          name: 'measures',
          label: '整改措施',
          placeholder: '具体整改措施',
          multiline: true,
          required: true,
          maxLength: 1000,
        }),
        personPicker({ name: 'owner', placeholder: '责任人', openIds: v.memberOpenIds, required: true }),
        input({ name: 'leader', label: '责任领导', placeholder: '例如：李明华', maxLength: 50 }),
        datePicker({ name: 'deadline', placeholder: '整改时限', required: true }),
        selectStatic({
          name: 'kind',
          placeholder: '整改类型',
          options: [
            { text: '集中整改', value: 'centralized' },
            { text: '长期整改', value: 'long_term' },
          ],
          initial: 'centralized',
          required: true,
        }),
        selectStatic({
          name: 'source',
          placeholder: '问题来源',
          options: v.sources.map((s) => ({ text: s, value: s })),
          initial: v.sources[0],
          required: true,
        }),
        ...(v.batches.length > 0
          ? [
              selectStatic({
                name: 'batch',
                placeholder: '所属批次（可选）',
                options: [
                  { text: '不属于任何批次', value: '0' },
                  ...v.batches.map((b) => ({ text: b.name, value: String(b.id) })),
                ],
              }),
            ]
          : []),
        input({ name: 'area', label: '所属领域（可选）', placeholder: '例如：选人用人、财务管理', maxLength: 50 }),
        button({
          text: '创建',
          type: 'primary',
          value: { a: 'rectify.create', o: v.orgId },
          submit: { name: 'submit_new' },
        }),
      ]),
    ],
  });
}

/** An extension request for the admins: 同意 / 拒绝. */
export function buildExtensionCard(v: {
  requestId: number;
  orgId: number;
  itemId: number;
  problem: string;
  ownerName: string;
  requester: string;
  oldDeadline: string;
  newDeadline: string;
  reason: string;
  status: 'pending' | 'approved' | 'refused';
  decidedBy?: string;
}): Card {
  const decided = v.status !== 'pending';
  return card({
    title: `延期申请 · 整改事项 #${v.itemId}`,
    subtitle: v.problem,
    template: v.status === 'approved' ? 'green' : v.status === 'refused' ? 'grey' : 'orange',
    elements: [
      markdown(
        `**申请人**：${md(v.requester)}　**责任人**：${md(v.ownerName)}\n**原时限**：${v.oldDeadline}　**申请延至**：${v.newDeadline}`,
      ),
      plainText(`理由：${v.reason}`, { max: 500 }),
      decided
        ? markdown(
            `**${v.status === 'approved' ? '已同意' : '已拒绝'}**${v.decidedBy ? `（${md(v.decidedBy, 20)}）` : ''}`,
          )
        : buttonRow([
            button({
              text: '同意延期',
              type: 'primary',
              value: { a: 'rectify.extension', r: v.requestId, ok: true, o: v.orgId },
            }),
            button({
              text: '拒绝',
              type: 'danger',
              value: { a: 'rectify.extension', r: v.requestId, ok: false, o: v.orgId },
            }),
          ]),
    ],
  });
}
