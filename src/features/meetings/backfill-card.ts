/**
 * 补录 cards: the form an admin fills in for a meeting held before the bot was used (kind, title, time,
 * place, who attended, who was on leave or absent, the minutes), and what was stored. Every field has
 * a Chinese label; the form's one button is its named submit (docs/feishu-platform.md §6). Pure builders.
 */
import {
  card,
  dateTimePicker,
  input,
  longTextInputs,
  markdown,
  note,
  personPicker,
  selectStatic,
} from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import { newItemFormCard } from '../../cards/tracked-item.ts';
import type { Card, CardElement } from '../../core/card.ts';
import type { AttendeeSeat } from '../../db/schema.ts';
import { exemptWhy, guestsText, seatGroups } from './attendance-rules.ts';
import { MINUTES_PARTS, meetingBackfill } from './contracts.ts';

/** A label above a select or a picker (those have a placeholder only). */
const label = (text: string, hint?: string): CardElement =>
  markdown(`**${text}**${hint ? `<font color='grey'>（${hint}）</font>` : ''}`);

export function buildBackfillCard(v: {
  orgId: number;
  kinds: { value: string; text: string }[];
  initialKind: string;
  memberOpenIds: string[];
  error?: string;
}): Card {
  const f = meetingBackfill.fields;
  return newItemFormCard({
    title: '补录会议记录',
    template: 'orange',
    error: v.error,
    formName: 'session_backfill',
    fields: [
      markdown(
        "<font color='grey'>用于登记使用清风之前已经召开的会议。补录的记录标注“补录”，保存后出勤和纪要不再更改（如需更改请用 /会议 补正）。</font>",
      ),
      label('会议类型'),
      selectStatic({ name: f.kind, placeholder: '会议类型', options: v.kinds, initial: v.initialKind, required: true }),
      input({
        name: f.title,
        label: '会议主题',
        placeholder: '例如：2026年11月支委会',
        required: true,
        maxLength: 100,
      }),
      label('召开时间', '须早于现在'),
      dateTimePicker({ name: f.start, placeholder: '召开时间', required: true }),
      input({ name: f.place, label: '地点', placeholder: '例如：三楼会议室', maxLength: 200 }),
      label('实到人员', '至少一人'),
      personPicker({ name: f.present, placeholder: '实到人员', openIds: v.memberOpenIds, multi: true, required: true }),
      label('请假人员', '可不选'),
      personPicker({ name: f.leave, placeholder: '请假人员', openIds: v.memberOpenIds, multi: true }),
      label('缺席人员', '可不选'),
      personPicker({ name: f.absent, placeholder: '缺席人员', openIds: v.memberOpenIds, multi: true }),
      ...longTextInputs({
        name: f.minutes,
        label: '会议纪要',
        placeholder: '主要内容、形成的决定（每条决定一行）',
        required: true,
        parts: MINUTES_PARTS,
      }),
      meetingBackfill.button(
        { text: '保存补录', type: 'primary', submit: { name: 'submit_backfill' }, org: v.orgId },
        {},
      ),
    ],
  });
}

/** Names listed per group on the stored record; the full list is in the 记录簿. */
const NAMES_SHOWN = 40;

const names = (list: readonly { name: string }[]) =>
  list.length === 0
    ? '—'
    : `${list
        .slice(0, NAMES_SHOWN)
        .map((p) => md(p.name, 20))
        .join('、')}${list.length > NAMES_SHOWN ? ` 等 ${list.length} 人` : ''}`;

/** One person of a 补录 as stored: how they attended and their seat (attendance-rules.ts `planAttendees`). */
export interface BackfillPerson {
  name: string;
  status: 'signed' | 'leave' | 'absent';
  seat: AttendeeSeat | null;
  /** The 支部's reason for a 不计应到 (the register's). */
  exemptReason?: string | null;
}

/**
 * What a 补录 stored: shown in place of the form. 应到 and its 实到 / 请假 / 缺席 are over the seats as the
 * meeting card and the 记录簿 count them (attendance-rules.ts `seatGroups`): 列席 and 不计应到 apart.
 */
export function buildBackfillDoneCard(v: {
  id: number;
  kind: string;
  heading: string;
  when: string;
  place: string;
  state: string;
  people: readonly BackfillPerson[];
}): Card {
  const seats = seatGroups(v.kind, v.people);
  const as = (status: BackfillPerson['status']) => seats.counted.filter((p) => p.status === status);
  const [present, leave, absent] = [as('signed'), as('leave'), as('absent')];
  const apart: string[] = [];
  if (seats.guests.length > 0)
    apart.push(`**列席**（无表决权）：${guestsText(seats.guests, (p) => p.status === 'signed', names)}`);
  if (seats.exempt.length > 0) {
    const shown = seats.exempt
      .slice(0, NAMES_SHOWN)
      .map((p) => `${md(p.name, 20)}：${md(exemptWhy(p.exemptReason), 30)}`);
    apart.push(
      `**不计应到**：${seats.exempt.length} 人（${shown.join('；')}${seats.exempt.length > shown.length ? ' 等' : ''}）`,
    );
  }
  return card({
    title: v.heading,
    subtitle: v.when,
    template: 'orange',
    tags: [{ text: '补录', color: 'orange' }],
    elements: [
      markdown(
        [
          `**编号**：#${v.id}`,
          `**时间**：${md(v.when)}`,
          `**地点**：${md(v.place || '—')}`,
          `**状态**：${md(v.state, 80)}`,
          `**应到** ${seats.counted.length} 人　**实到** ${present.length} 人　**请假** ${leave.length} 人　**缺席** ${absent.length} 人`,
          `**实到**：${names(present)}`,
          `**请假**：${names(leave)}`,
          `**缺席**：${names(absent)}`,
          ...apart,
        ].join('\n'),
      ),
      note(`已补录并记入三会一课记录簿。查看：/会议 查看 ${v.id}；导出：/会议 导出。`),
    ],
  });
}
