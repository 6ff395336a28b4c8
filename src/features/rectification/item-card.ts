/**
 * Rectification cards: the owner's item card (with its progress, 销号 and extension forms) and the
 * reviewers' card. The list, the new-item form and the extension decision are in rect-ledger-cards.ts
 * (re-exported here). Pure builders.
 */

import {
  buttonRow,
  card,
  datePicker,
  divider,
  form,
  input,
  markdown,
  plainText,
  selectStatic,
} from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import {
  type DueTone,
  dueText,
  evidenceList,
  historySection,
  lateMarkTag,
  ownerLine,
  textSection,
  trackedItemCard,
} from '../../cards/tracked-item.ts';
import type { Card, CardElement, HeaderTemplate } from '../../core/card.ts';
import {
  rectifyApprove,
  rectifyExtend,
  rectifyForm,
  rectifyProgress,
  rectifyReturn,
  rectifyReviewForm,
  rectifySubmit,
} from './contracts.ts';

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
  /** Where the deadline stands now ("还剩 3 天" plain, "已逾期 2 天" in the late colour…). */
  dueTone: DueTone;
  /** Open and past its deadline now. */
  overdue: boolean;
  /** The permanent late mark: overdue now or at some time before (kept after an extension or 销号). */
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

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: RectItemView, review = false) =>
  (review ? rectifyReviewForm : rectifyForm).button({ text: '取消', org: v.orgId }, { id: v.id, form: 'view' });

function summaryLines(v: RectItemView): CardElement[] {
  return [
    markdown(
      [
        `**状态**：${md(v.statusLabel)}　**类型**：${md(v.kindLabel)}　**来源**：${md(v.source)}${v.batchName ? `（${md(v.batchName)}）` : ''}`,
        `${ownerLine(v.ownerName, v.leader)}${v.area ? `　**领域**：${md(v.area)}` : ''}`,
        `**整改时限**：${v.deadline}　${dueText(v.dueTone, md(v.deadlineText))}${v.late ? `　${lateMarkTag(v.overdue)}` : ''}`,
        `**整改进度**：${v.progress}%`,
      ].join('\n'),
    ),
    ...textSection('问题描述', v.problem),
    ...textSection('整改措施', v.measures || '（未填写）'),
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
    out.push(evidenceList(v.evidence, 8, (e) => (e.kind === 'file' ? '📎 ' : e.kind === 'link' ? '🔗 ' : '')));
  }
  if (v.reviewer) out.push(markdown(`**销号审核**：${md(v.reviewer.name, 20)}，${md(v.reviewer.at)}`));
  if (v.pendingExtension) {
    out.push(
      markdown(`**延期申请待批**：延至 ${v.pendingExtension.newDeadline}`),
      plainText(`理由：${v.pendingExtension.reason}`, { max: 500 }),
    );
  }
  if (v.history.length > 0) {
    out.push(
      historySection(
        '历史记录',
        v.history,
        (h) => `- ${md(h.at)} ${md(h.by, 20)}：${md(h.label, 20)}${h.text ? ` — ${md(h.text, 120)}` : ''}`,
        `/整改 记录 ${v.id}`,
      ),
    );
  }
  return out;
}

function progressForm(v: RectItemView): CardElement {
  return form(`progress_${v.id}`, [
    selectStatic({
      name: rectifyProgress.fields.percent,
      placeholder: '完成进度',
      options: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => ({ text: `${p}%`, value: String(p) })),
      initial: String(Math.min(100, Math.max(10, Math.round(v.progress / 10) * 10 || 10))),
      required: true,
    }),
    input({
      name: rectifyProgress.fields.done,
      label: '本次完成了什么',
      placeholder: '简要说明做了哪些整改工作',
      multiline: true,
      required: true,
      maxLength: 1000,
    }),
    input({
      name: rectifyProgress.fields.link,
      label: '佐证材料链接（可选）',
      placeholder: '飞书文档或网盘链接；文件可直接发给清风',
      maxLength: 500,
    }),
    rectifyProgress.button(
      { text: '提交进展', type: 'primary', submit: { name: 'submit_progress' }, org: v.orgId },
      { id: v.id, ver: v.version },
    ),
  ]);
}

function closeForm(v: RectItemView): CardElement {
  return form(`close_${v.id}`, [
    markdown(
      v.evidence.length > 0
        ? `已有 ${v.evidence.length} 份佐证材料。可再补充链接或说明；文件请直接发给清风。`
        : '申请销号需要佐证材料：填写链接或说明，或先把文件发给清风并附到本事项。',
    ),
    input({ name: rectifySubmit.fields.link, label: '佐证材料链接', placeholder: 'https://…', maxLength: 500 }),
    input({
      name: rectifySubmit.fields.note,
      label: '整改完成情况说明',
      placeholder: '整改措施落实情况、取得的成效',
      multiline: true,
      maxLength: 1000,
    }),
    rectifySubmit.button(
      { text: '提交销号申请', type: 'primary', submit: { name: 'submit_close' }, org: v.orgId },
      { id: v.id, ver: v.version },
    ),
  ]);
}

function extendForm(v: RectItemView): CardElement {
  return form(`extend_${v.id}`, [
    datePicker({ name: rectifyExtend.fields.date, placeholder: '延期至', initial: v.deadline, required: true }),
    input({
      name: rectifyExtend.fields.reason,
      label: '延期理由',
      placeholder: '说明无法按期完成的原因',
      multiline: true,
      required: true,
      maxLength: 500,
    }),
    rectifyExtend.button(
      { text: '提交延期申请', type: 'primary', submit: { name: 'submit_extend' }, org: v.orgId },
      { id: v.id, ver: v.version },
    ),
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
        rectifyForm.button({ text: '报告进展', type: 'primary', org: v.orgId }, { id: v.id, form: 'progress' }),
        rectifyForm.button({ text: '申请销号', org: v.orgId }, { id: v.id, form: 'close' }),
      );
    }
    if (!v.pendingExtension)
      buttons.push(rectifyForm.button({ text: '申请延期', org: v.orgId }, { id: v.id, form: 'extend' }));
    if (buttons.length > 0) elements.push(buttonRow(buttons));
    if (v.status === 'review')
      elements.push(markdown("<font color='grey'>已提交销号申请，等待纪检委员或书记审核。</font>"));
  }
  return trackedItemCard({
    title: `整改事项 #${v.id}`,
    subtitle: v.problem,
    status: v.status,
    statusLabel: v.statusLabel,
    templates: STATUS_TEMPLATE,
    finished: 'closed',
    // Red while past the deadline now; an item extended after being late reads by its status again.
    late: v.overdue,
    open,
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
            name: rectifyReturn.fields.reason,
            label: '退回理由',
            placeholder: '说明还需补充或整改的内容',
            multiline: true,
            required: true,
            maxLength: 500,
          }),
          rectifyReturn.button(
            { text: '确认退回', type: 'danger', submit: { name: 'submit_return' }, org: v.orgId },
            { id: v.id, ver: v.version },
          ),
        ]),
        cancelButton(v, true),
      );
    } else {
      const buttons = [
        rectifyApprove.button(
          {
            text: '通过销号',
            type: 'primary',
            confirm: { title: '确认销号', text: `确认整改事项 #${v.id} 已整改到位并销号？` },
            org: v.orgId,
          },
          { id: v.id, ver: v.version, decision: 'close' },
        ),
      ];
      if (v.kind === 'long_term') {
        buttons.push(
          rectifyApprove.button(
            { text: '阶段性完成', org: v.orgId },
            { id: v.id, ver: v.version, decision: 'ongoing' },
          ),
        );
      }
      buttons.push(
        rectifyReviewForm.button({ text: '退回', type: 'danger', org: v.orgId }, { id: v.id, form: 'return' }),
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

export { buildExtensionCard, buildRectListCard, buildRectNewCard, type RectListView } from './ledger-cards.ts';
