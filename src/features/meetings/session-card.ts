/**
 * Meeting and study cards: the notice with its buttons following the 签到 window (参加 / 请假 before the
 * start, 签到 while the window is open, 补正 for admins after it) and live counts (and the quorum for
 * meetings that vote), the forms to create, ask leave, record minutes, hand in 学习心得 and 补正. Lists,
 * the compliance calendar and the half-year study report are in overview-cards.ts (re-exported here).
 * Pure builders.
 */

import {
  buttonRow,
  card,
  divider,
  form,
  input,
  longTextInputs,
  markdown,
  personPicker,
  plainText,
  selectStatic,
} from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import { textSection } from '../../cards/tracked-item.ts';
import type { Card, CardElement } from '../../core/card.ts';
import { attendanceCounts, NAMES_SHOWN, phaseOf } from './attendance-card.ts';
import {
  AGENDA_PARTS,
  MINUTES_PARTS,
  meetingAttend,
  meetingCorrect,
  meetingForm,
  meetingLeave,
  meetingMinutes,
  meetingReflection,
  meetingSign,
  meetingToTask,
  REFLECTION_PARTS,
} from './contracts.ts';

export interface SessionView {
  id: number;
  orgId: number;
  version: number;
  category: 'meeting' | 'study';
  kind: string;
  kindLabel: string;
  /** The card's title: the kind and the title, the kind once when the title starts with it. */
  heading?: string;
  title: string;
  startText: string;
  started: boolean;
  /** The 签到 window has closed: who neither signed in nor is on leave is 缺席, no longer 未回复. */
  closed?: boolean;
  /**
   * Where attendance stands (model.ts `attendancePhase`): `before` 参加 / 请假; `open` 签到 too; `started`
   * only 签到; `closed` only an admin's 补正. The buttons follow it. When left out it is read from `started`
   * and `closed`.
   */
  phase?: SessionPhase;
  /** "签到时间为 12月10日 14:30 至 18:00。" */
  windowText?: string;
  cancelled: boolean;
  /**
   * What the session's record says (held.ts): its state, the short `label` shown as a header tag
   * (已安排, 进行中, 已召开, 纪要待补, 未召开), the status line `text` (held.ts `recordStateText`, e.g.
   * 已召开（纪要待补，2026-12-17 前）, 未召开（无人签到，没有出勤记录）), whether the minutes are still due,
   * and whether it was entered afterwards as 补录 (tagged). Left out, no status is shown.
   */
  record?: {
    state: 'cancelled' | 'scheduled' | 'in_progress' | 'held' | 'not_held';
    label: string;
    text: string;
    minutesDue: boolean;
    backfilled: boolean;
  };
  place: string;
  agenda: string;
  organiserName: string;
  attendees: {
    /** For the 补正 form's person picker (never shown on the card). */
    openId?: string;
    name: string;
    status: string;
    reason: string | null;
    away: boolean;
    /** The reason of an admin's 补正, when one changed this person's attendance. */
    correction?: string | null;
    /** Why one sits without a vote (attendance-rules.ts): 预备党员, 不计应到, 列席; null when counted. */
    seat?: 'probationary' | 'exempt' | 'observer' | null;
    /** The 支部's reason for 不计应到 (e.g. 长期病假). */
    exemptReason?: string | null;
  }[];
  /** A meeting that votes: those with a vote (应到), those of them signed in, more than half (held.ts). */
  voting: { total: number; present: number; quorum: boolean } | undefined;
  /**
   * A 支委会 of a 支部 with no 支委 registered (or an upper org's 中心组学习 with no 委员): invited as
   * picked, not as the 支委 / 班子 (said on the card).
   */
  noCommittee?: boolean;
  /**
   * Who the card is drawn for: `group` (the default) is shared by everyone in the chat — 不计应到 is
   * given as a count only; `private` (one person's chat) names them with the 支部's reason.
   */
  audience?: 'group' | 'private';
  minutes: string | undefined;
  files: { kind: string; name: string }[];
  /**
   * 心得 handed in by those who signed in / those who signed in, the due day, and who did 补学 (names;
   * not counted as attending).
   */
  reflections: { submitted: number; expected: number; due: string; makeup?: string[] } | undefined;
}

export type SessionCardMode = 'view' | 'leave' | 'minutes' | 'reflection' | 'correct';

/** Where a session's attendance stands (the card module's copy of model.ts `AttendancePhase`). */
export type SessionPhase = 'before' | 'open' | 'started' | 'closed';

/** 补正为: what an admin's 补正 may set (rules.ts `CORRECTION_LABELS`). */
const CORRECTION_OPTIONS = [
  { value: 'signed', text: '签到' },
  { value: 'leave', text: '请假' },
  { value: 'absent', text: '缺席' },
];

/** The header tags: 已取消; else the record's state (held.ts) and 补录 for a record entered afterwards. */
function headerTags(v: SessionView): { text: string; color: string }[] | undefined {
  if (v.cancelled) return [{ text: '已取消', color: 'neutral' }];
  const r = v.record;
  if (!r) return undefined;
  const color =
    r.state === 'not_held'
      ? 'red'
      : r.minutesDue
        ? 'orange'
        : r.state === 'held'
          ? 'green'
          : r.state === 'in_progress'
            ? 'turquoise'
            : 'blue';
  return [{ text: r.label, color }, ...(r.backfilled ? [{ text: '补录', color: 'violet' }] : [])];
}

/** "\n**状态**：已召开（纪要待补，2026-12-17 前）" under the time and place; '' when cancelled or not given. */
const statusLine = (v: SessionView): string => (v.record && !v.cancelled ? `\n**状态**：${md(v.record.text)}` : '');

/** A label above a select or a picker (those have a placeholder only). */
const fieldLabel = (text: string): CardElement => markdown(`**${text}**`);

export const MIN_REFLECTION_LENGTH = 100;

/** How many inputs each long text takes (declared with its action in actions/meeting.ts). */
export { AGENDA_PARTS, MINUTES_PARTS, REFLECTION_PARTS };

/** Files listed on the card. */
const FILES_SHOWN = 10;

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: SessionView) => meetingForm.button({ text: '取消', org: v.orgId }, { id: v.id, form: 'view' });

/** "\n**补学**：张三、李四（补学不计入出勤）" for those who made the session up afterwards; '' when none. */
function makeupLine(names: string[] | undefined): string {
  if (!names || names.length === 0) return '';
  const shown = names.slice(0, NAMES_SHOWN).map((n) => md(n, 20));
  const more = names.length > shown.length ? ` 等 ${names.length} 人` : '';
  return `\n**补学**：${shown.join('、')}${more}（补学不计入出勤）`;
}

/** The line above the buttons: what can be answered now, and when 签到 opens or closed. */
function phaseText(v: SessionView): string {
  const w = v.windowText ?? '';
  switch (phaseOf(v)) {
    case 'before':
      return `${w}开始前请回复参加或请假。`;
    case 'open':
      return `签到已开始。${w}`;
    case 'started':
      return `活动已开始，请假已截止。${w}`;
    default: {
      const span = w.replace(/^签到时间为 /, '').replace(/。$/, '');
      return `签到已结束${span ? `（${span}）` : ''}。出勤如需更正，由管理员补正。`;
    }
  }
}

export function buildSessionCard(v: SessionView, mode: SessionCardMode = 'view'): Card {
  const elements: CardElement[] = [
    markdown(
      `**时间**：${md(v.startText)}\n**地点**：${md(v.place || '—')}\n**组织人**：${md(v.organiserName)}${statusLine(v)}`,
    ),
  ];
  // A form shows the notice in short, so that the form and its texts fit in the card's 30 KB.
  const full = mode === 'view' || v.cancelled;
  if (v.agenda)
    elements.push(
      markdown(v.category === 'study' ? '**学习内容**' : '**议程**'),
      plainText(v.agenda, { max: full ? 1500 : 300 }),
    );
  elements.push(divider(), ...attendanceCounts(v, full));
  // In the minutes form the minutes are in its inputs: not shown twice (card size).
  if (v.minutes && mode !== 'minutes') elements.push(...textSection('会议纪要', v.minutes));
  if (v.files.length > 0) {
    const files = v.files.slice(-FILES_SHOWN).map((f) => `- ${md(f.name, 80)}`);
    if (v.files.length > files.length) files.push(`<font color='grey'>这里显示最近 ${files.length} 份。</font>`);
    elements.push(markdown(`**材料**（${v.files.length}）\n${files.join('\n')}`));
  }
  if (v.reflections)
    elements.push(
      markdown(
        `**学习心得**：已提交 ${v.reflections.submitted}/${v.reflections.expected}，截止 ${v.reflections.due}${makeupLine(v.reflections.makeup)}`,
      ),
    );

  if (v.cancelled) {
    elements.push(markdown("<font color='grey'>本次活动已取消。</font>"));
  } else if (mode === 'leave') {
    elements.push(
      form(`leave_${v.id}`, [
        input({
          name: meetingLeave.fields.reason,
          label: '请假理由',
          placeholder: '例如：外出公务',
          required: true,
          maxLength: 200,
        }),
        meetingLeave.button(
          { text: '提交请假', type: 'primary', submit: { name: 'submit_leave' }, org: v.orgId },
          { id: v.id },
        ),
      ]),
      cancelButton(v),
    );
  } else if (mode === 'minutes') {
    elements.push(
      form(`minutes_${v.id}`, [
        ...longTextInputs({
          name: meetingMinutes.fields.minutes,
          label: v.category === 'study' ? '学习记录' : '会议纪要',
          placeholder: '主要内容、形成的决定（每条决定一行）',
          required: true,
          parts: MINUTES_PARTS,
          defaultValue: v.minutes,
        }),
        input({
          name: meetingMinutes.fields.link,
          label: '纪要/照片/签到表链接（可选；文件可直接发给清风）',
          placeholder: 'https://…',
          maxLength: 500,
        }),
        meetingMinutes.button(
          { text: '保存', type: 'primary', submit: { name: 'submit_minutes' }, org: v.orgId },
          { id: v.id, ver: v.version },
        ),
      ]),
      cancelButton(v),
    );
  } else if (mode === 'reflection') {
    elements.push(
      form(`reflection_${v.id}`, [
        ...longTextInputs({
          name: meetingReflection.fields.text,
          label: '学习心得',
          placeholder: `不少于 ${MIN_REFLECTION_LENGTH} 字；较长时可接着写在下面几栏`,
          required: true,
          parts: REFLECTION_PARTS,
        }),
        input({ name: meetingReflection.fields.link, label: '链接（可选）', placeholder: 'https://…', maxLength: 500 }),
        meetingReflection.button(
          { text: '提交心得', type: 'primary', submit: { name: 'submit_reflection' }, org: v.orgId },
          { id: v.id },
        ),
      ]),
      cancelButton(v),
    );
  } else if (mode === 'correct') {
    elements.push(
      form(`correct_${v.id}`, [
        markdown(
          "<font color='grey'>签到结束后，出勤情况只能由管理员补正，须写明理由；补正记入历史，并在卡片和记录簿中标注“补正”。</font>",
        ),
        fieldLabel('补正人员'),
        personPicker({
          name: meetingCorrect.fields.person,
          placeholder: '选择参加人员',
          openIds: v.attendees.flatMap((a) => (a.openId ? [a.openId] : [])),
          required: true,
        }),
        fieldLabel('补正为'),
        selectStatic({
          name: meetingCorrect.fields.to,
          placeholder: '签到、请假或缺席',
          options: CORRECTION_OPTIONS,
          required: true,
        }),
        input({
          name: meetingCorrect.fields.reason,
          label: '补正理由',
          placeholder: '例如：现场签到表为证',
          required: true,
          maxLength: 200,
        }),
        meetingCorrect.button(
          { text: '提交补正', type: 'primary', submit: { name: 'submit_correct' }, org: v.orgId },
          { id: v.id },
        ),
      ]),
      cancelButton(v),
    );
  } else {
    // The buttons follow the 签到 window (model.ts `attendancePhase`); the line above them says when.
    const phase = phaseOf(v);
    elements.push(markdown(`<font color='grey'>${md(phaseText(v))}</font>`));
    const buttons: CardElement[] = [];
    if (phase === 'open' || phase === 'started')
      buttons.push(meetingSign.button({ text: '签到', type: 'primary', org: v.orgId }, { id: v.id }));
    if (phase === 'before' || phase === 'open') {
      buttons.push(
        meetingAttend.button(
          { text: '参加', ...(phase === 'before' ? { type: 'primary' } : {}), org: v.orgId },
          { id: v.id },
        ),
        meetingForm.button({ text: '请假', org: v.orgId }, { id: v.id, form: 'leave' }),
      );
    }
    if (v.started) {
      buttons.push(
        meetingForm.button(
          { text: v.category === 'study' ? '学习记录' : '记录纪要', org: v.orgId },
          { id: v.id, form: 'minutes' },
        ),
      );
      if (v.category === 'study')
        buttons.push(meetingForm.button({ text: '提交心得', org: v.orgId }, { id: v.id, form: 'reflection' }));
      if (v.minutes && v.category === 'meeting')
        buttons.push(meetingToTask.button({ text: '转为任务', org: v.orgId }, { id: v.id }));
    }
    if (phase === 'closed')
      buttons.push(meetingForm.button({ text: '补正', org: v.orgId }, { id: v.id, form: 'correct' }));
    if (buttons.length > 0) elements.push(buttonRow(buttons));
  }
  return card({
    title: v.heading ?? `${v.kindLabel}：${v.title}`,
    subtitle: v.startText,
    template: v.cancelled ? 'grey' : v.category === 'study' ? 'indigo' : 'red',
    tags: headerTags(v),
    summary: v.heading ?? `${v.kindLabel}：${v.title}`,
    elements,
  });
}

export { buildCalendarCard, buildSessionListCard, buildStudyReportCard } from './overview-cards.ts';
export { buildSessionNewCard } from './session-new-card.ts';
