/**
 * Meeting and study cards: the notice with 签到 / 请假 and live counts (and the quorum for meetings
 * that vote), the forms to create, record minutes and hand in 学习心得. Lists, the compliance calendar
 * and the half-year study report are in session-overview-cards.ts (re-exported here). Pure builders.
 */

import {
  buttonRow,
  card,
  collapsible,
  dateTimePicker,
  divider,
  form,
  input,
  longTextInputs,
  markdown,
  note,
  personPicker,
  plainText,
  selectStatic,
} from '../../cards/parts.ts';
import { md } from '../../cards/text.ts';
import { newItemFormCard, textSection } from '../../cards/tracked-item.ts';
import type { Card, CardElement } from '../../core/card.ts';
import {
  AGENDA_PARTS,
  MINUTES_PARTS,
  meetingCreate,
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
  cancelled: boolean;
  place: string;
  agenda: string;
  organiserName: string;
  attendees: {
    name: string;
    status: string;
    reason: string | null;
    away: boolean;
    /** The reason of an admin's 补正, when one changed this person's attendance. */
    correction?: string | null;
  }[];
  voting: { total: number; present: number; quorum: boolean } | undefined;
  minutes: string | undefined;
  files: { kind: string; name: string }[];
  reflections: { submitted: number; expected: number; due: string } | undefined;
}

export type SessionCardMode = 'view' | 'leave' | 'minutes' | 'reflection';

export const MIN_REFLECTION_LENGTH = 100;

/** How many inputs each long text takes (declared with its action in actions/meeting.ts). */
export { AGENDA_PARTS, MINUTES_PARTS, REFLECTION_PARTS };

/** Names listed on the card per group (签到, 请假); the full list is in the 记录簿 export. */
const NAMES_SHOWN = 40;
/** Files listed on the card. */
const FILES_SHOWN = 10;

/** 取消 sits after a form, not in it: Feishu lets only named submit/reset buttons into a form. */
const cancelButton = (v: SessionView) => meetingForm.button({ text: '取消', org: v.orgId }, { id: v.id, form: 'view' });

/** Where the whole attendance list is: the 记录簿 export (admins). */
const fullListHint = (v: SessionView) =>
  `完整名单请管理员发送 ${v.category === 'study' ? '/学习' : '/会议'} 导出 获取记录簿。`;

/** The live counts; with `lists`, who signed in and who is on leave (the notice, not its forms). */
function counts(v: SessionView, lists: boolean): CardElement[] {
  const signed = v.attendees.filter((a) => a.status === 'signed');
  const leave = v.attendees.filter((a) => a.status === 'leave' || (a.status === 'invited' && a.away));
  const pending = v.attendees.filter((a) => a.status === 'invited' && !a.away);
  const lines = [
    `**应到** ${v.attendees.length} 人　**已签到** ${signed.length} 人　**请假** ${leave.length} 人　**${v.closed ? '缺席' : '未回复'}** ${pending.length} 人`,
  ];
  if (v.voting) {
    lines.push(
      v.voting.quorum
        ? `<font color='green'>有表决权的党员 ${v.voting.total} 人，已到 ${v.voting.present} 人，超过半数。</font>`
        : `<font color='red'>有表决权的党员 ${v.voting.total} 人，已到 ${v.voting.present} 人，尚未过半。</font>`,
    );
  }
  const corrected = v.attendees.filter((a) => a.correction);
  if (corrected.length > 0) {
    const shown = corrected.slice(0, NAMES_SHOWN).map((a) => {
      const now = a.status === 'signed' ? '签到' : a.status === 'leave' ? '请假' : '缺席';
      return `${md(a.name, 20)} 补正为${now}（${md(a.correction ?? '', 40)}）`;
    });
    lines.push(`**补正**：${shown.join('；')}${corrected.length > shown.length ? ` 等 ${corrected.length} 人` : ''}`);
  }
  const out: CardElement[] = [markdown(lines.join('\n'))];
  if (!lists) return out;
  if (leave.length > 0) {
    const shown = leave.slice(0, NAMES_SHOWN);
    out.push(
      collapsible(`请假（${leave.length}）`, [
        markdown(
          shown.map((a) => `- ${md(a.name, 20)}：${md(a.reason ?? (a.away ? '请假/出差中' : ''), 40)}`).join('\n'),
        ),
        ...(leave.length > shown.length
          ? [note(`另有 ${leave.length - shown.length} 人请假。${fullListHint(v)}`)]
          : []),
      ]),
    );
  }
  if (signed.length > 0) {
    const shown = signed.slice(0, NAMES_SHOWN);
    out.push(
      collapsible(`已签到（${signed.length}）`, [
        markdown(shown.map((a) => md(a.name, 20)).join('、')),
        ...(signed.length > shown.length
          ? [note(`另有 ${signed.length - shown.length} 人已签到。${fullListHint(v)}`)]
          : []),
      ]),
    );
  }
  return out;
}

export function buildSessionCard(v: SessionView, mode: SessionCardMode = 'view'): Card {
  const elements: CardElement[] = [
    markdown(`**时间**：${md(v.startText)}\n**地点**：${md(v.place || '—')}\n**组织人**：${md(v.organiserName)}`),
  ];
  // A form shows the notice in short, so that the form and its texts fit in the card's 30 KB.
  const full = mode === 'view' || v.cancelled;
  if (v.agenda)
    elements.push(
      markdown(v.category === 'study' ? '**学习内容**' : '**议程**'),
      plainText(v.agenda, { max: full ? 1500 : 300 }),
    );
  elements.push(divider(), ...counts(v, full));
  // In the minutes form the minutes are in its inputs: not shown twice (card size).
  if (v.minutes && mode !== 'minutes') elements.push(...textSection('会议纪要', v.minutes));
  if (v.files.length > 0) {
    const files = v.files.slice(-FILES_SHOWN).map((f) => `- ${md(f.name, 80)}`);
    if (v.files.length > files.length) files.push(`<font color='grey'>这里显示最近 ${files.length} 份。</font>`);
    elements.push(markdown(`**材料**（${v.files.length}）\n${files.join('\n')}`));
  }
  if (v.reflections)
    elements.push(
      markdown(`**学习心得**：已提交 ${v.reflections.submitted}/${v.reflections.expected}，截止 ${v.reflections.due}`),
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
  } else {
    const buttons: CardElement[] = [
      meetingSign.button({ text: '签到', type: 'primary', org: v.orgId }, { id: v.id }),
      meetingForm.button({ text: '请假', org: v.orgId }, { id: v.id, form: 'leave' }),
    ];
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
    elements.push(buttonRow(buttons));
  }
  return card({
    title: v.heading ?? `${v.kindLabel}：${v.title}`,
    subtitle: v.startText,
    template: v.cancelled ? 'grey' : v.category === 'study' ? 'indigo' : 'red',
    tags: v.cancelled ? [{ text: '已取消', color: 'neutral' }] : undefined,
    summary: v.heading ?? `${v.kindLabel}：${v.title}`,
    elements,
  });
}

export function buildSessionNewCard(v: {
  orgId: number;
  category: 'meeting' | 'study';
  kinds: { value: string; text: string }[];
  initialKind: string;
  memberOpenIds: string[];
  agenda: string;
  error?: string;
}): Card {
  const study = v.category === 'study';
  return newItemFormCard({
    title: study ? '新建学习' : '新建会议',
    template: study ? 'indigo' : 'red',
    error: v.error,
    formName: 'session_new',
    fields: [
      selectStatic({
        name: meetingCreate.fields.kind,
        placeholder: study ? '学习类型' : '会议类型',
        options: v.kinds,
        initial: v.initialKind,
        required: true,
      }),
      input({
        name: meetingCreate.fields.title,
        label: study ? '学习主题' : '会议主题',
        placeholder: study ? '例如：学习《中国共产党纪律处分条例》' : '例如：2026年下半年全面从严治党专题会议',
        required: true,
        maxLength: 100,
      }),
      dateTimePicker({ name: meetingCreate.fields.start, placeholder: '开始时间', required: true }),
      input({
        name: meetingCreate.fields.place,
        label: '地点或线上会议链接',
        placeholder: '例如：三楼会议室',
        maxLength: 200,
      }),
      ...longTextInputs({
        name: meetingCreate.fields.agenda,
        label: study ? '学习内容/材料' : '议程',
        placeholder: study ? '材料链接或篇目' : '议程',
        parts: AGENDA_PARTS,
        defaultValue: v.agenda,
      }),
      personPicker({
        name: meetingCreate.fields.attendees,
        placeholder: '参加人员（不选则为全体党员）',
        openIds: v.memberOpenIds,
        multi: true,
      }),
      ...(study
        ? [
            input({
              name: meetingCreate.fields.days,
              label: '心得提交期限（工作日）',
              placeholder: '5',
              maxLength: 2,
            }),
          ]
        : []),
      meetingCreate.button(
        { text: '发布通知', type: 'primary', submit: { name: 'submit_session' }, org: v.orgId },
        { c: v.category },
      ),
    ],
  });
}

export { buildCalendarCard, buildSessionListCard, buildStudyReportCard } from './overview-cards.ts';
