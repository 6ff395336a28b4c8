/**
 * The rectification ledger's other cards: the list with paging buttons, the new-item form and the
 * extension decision for the admins. Pure builders.
 */

import { rowWithButton, type StatusCount, statusChart, summaryElement } from '../../cards/list-summary.ts';
import type { PagedListView } from '../../cards/paging.ts';
import {
  buttonRow,
  card,
  datePicker,
  input,
  markdown,
  pagedListCard,
  personPicker,
  plainText,
  selectStatic,
} from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import { type DueTone, leaderInput, listLine, newItemFormCard } from '../../cards/tracked-item.ts';
import type { Card } from '../../core/card.ts';
import { rectifyCreate, rectifyExtension, rectifyOpen, rectifyPage } from './contracts.ts';

export interface RectListView extends PagedListView {
  items: {
    id: number;
    problem: string;
    ownerName: string;
    deadline: string;
    deadlineText: string;
    statusLabel: string;
    /** Where the deadline stands now (model.ts `deadlineTone`). */
    dueTone: DueTone;
    /** The permanent late mark (kept after an extension or 销号). */
    late: boolean;
  }[];
  /** Whose ledger `counts` are of ("全部整改事项", "我的整改事项", "本批次", a name). */
  scope: string;
  /** That ledger's items by status (`rectStatusCounts` in list.ts). */
  counts: StatusCount[];
}

/**
 * What a row says after its status, in the late colour: "已逾期 N 天" while overdue, "逾期 N 天后销号"
 * once closed late, 曾逾期 for an item late before but not now (its deadline extended); nothing else.
 */
function lateMark(i: RectListView['items'][number]): string | undefined {
  if (!i.late) return undefined;
  if (i.dueTone === 'overdue' || i.dueTone === 'met_late') return i.deadlineText;
  return '曾逾期';
}

/**
 * A compact list with paging buttons: the counts by status and the completion rate, a pie of them,
 * then each row beside its 查看 button (the item's card is sent to this chat).
 */
export function buildRectListCard(v: RectListView): Card {
  const lines = v.items.map((i) => listLine({ ...i, text: i.problem, date: i.deadline }, lateMark(i)));
  return pagedListCard({
    ...v,
    lines,
    rowElements: lines.map((line, n) =>
      rowWithButton(line, rectifyOpen.button({ text: '查看', org: v.orgId }, { id: v.items[n]?.id ?? 0 })),
    ),
    head: [summaryElement(v.counts, { scope: v.scope }), ...statusChart(`${v.scope}整改情况`, v.counts)],
    empty: '没有符合条件的整改事项。',
    hint: '点“查看”或发送 /整改 查看 编号 打开事项卡片。',
    action: rectifyPage,
  });
}

/** What the admin typed on the form, drawn again when the bot asks before creating. */
export interface RectNewValues {
  problem: string;
  measures: string;
  owner: string;
  leader: string;
  deadline: string;
  kind: string;
  source: string;
  batch: string;
  area: string;
}

/** The form behind `/整改 新建`. */
export function buildRectNewCard(v: {
  orgId: number;
  batches: { id: number; name: string }[];
  memberOpenIds: string[];
  sources: readonly string[];
  error?: string;
  /** The form as submitted, kept when the bot asks a question. */
  values?: RectNewValues;
  /** A deadline already past: the question asked, and 确认创建 carrying that deadline. */
  confirmPast?: { deadline: string; question: string };
}): Card {
  const f = v.values;
  const ownerPicker = personPicker({
    name: rectifyCreate.fields.owner,
    placeholder: '责任人',
    openIds: v.memberOpenIds,
    required: true,
  });
  return newItemFormCard({
    title: '新建整改事项',
    template: 'red',
    error: v.error,
    formName: 'rect_new',
    fields: [
      input({
        name: rectifyCreate.fields.problem,
        label: '问题描述',
        placeholder: '巡察/审计反馈的问题',
        multiline: true,
        required: true,
        maxLength: 1000,
        defaultValue: f?.problem,
      }),
      input({
        name: rectifyCreate.fields.measures,
        label: '整改措施',
        placeholder: '具体整改措施',
        multiline: true,
        required: true,
        maxLength: 1000,
        defaultValue: f?.measures,
      }),
      // feishu: select_person takes the picked person as initial_option (the same key as select_static).
      f?.owner ? { ...ownerPicker, initial_option: f.owner } : ownerPicker,
      f?.leader
        ? input({ name: rectifyCreate.fields.leader, label: '责任领导', maxLength: 50, defaultValue: f.leader })
        : leaderInput(rectifyCreate.fields.leader),
      datePicker({
        name: rectifyCreate.fields.deadline,
        placeholder: '整改时限',
        required: true,
        initial: f?.deadline || undefined,
      }),
      selectStatic({
        name: rectifyCreate.fields.kind,
        placeholder: '整改类型',
        options: [
          { text: '集中整改', value: 'centralized' },
          { text: '长期整改', value: 'long_term' },
        ],
        initial: f?.kind === 'long_term' ? 'long_term' : 'centralized',
        required: true,
      }),
      selectStatic({
        name: rectifyCreate.fields.source,
        placeholder: '问题来源',
        options: v.sources.map((s) => ({ text: s, value: s })),
        initial: f?.source && v.sources.includes(f.source) ? f.source : v.sources[0],
        required: true,
      }),
      ...(v.batches.length > 0
        ? [
            selectStatic({
              name: rectifyCreate.fields.batch,
              placeholder: '所属批次（可选）',
              options: [
                { text: '不属于任何批次', value: '0' },
                ...v.batches.map((b) => ({ text: b.name, value: String(b.id) })),
              ],
              initial: f?.batch && v.batches.some((b) => String(b.id) === f.batch) ? f.batch : undefined,
            }),
          ]
        : []),
      input({
        name: rectifyCreate.fields.area,
        label: '所属领域（可选）',
        placeholder: '例如：选人用人、财务管理',
        maxLength: 50,
        defaultValue: f?.area,
      }),
      ...(v.confirmPast
        ? [
            markdown(`<font color='orange'>${md(v.confirmPast.question)}</font>`),
            buttonRow([
              rectifyCreate.button(
                { text: '确认创建', type: 'primary', submit: { name: 'submit_confirm' }, org: v.orgId },
                { past: v.confirmPast.deadline },
              ),
              rectifyCreate.button({ text: '按修改后的时限创建', submit: { name: 'submit_new' }, org: v.orgId }, {}),
            ]),
          ]
        : [rectifyCreate.button({ text: '创建', type: 'primary', submit: { name: 'submit_new' }, org: v.orgId }, {})]),
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
            rectifyExtension.button({ text: '同意延期', type: 'primary', org: v.orgId }, { r: v.requestId, ok: true }),
            rectifyExtension.button({ text: '拒绝', type: 'danger', org: v.orgId }, { r: v.requestId, ok: false }),
          ]),
    ],
  });
}
