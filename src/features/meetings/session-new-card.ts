/**
 * The form behind `/会议 新建` and `/学习 新建`: kind, the 党小组 of a 党小组会 (when the org has 小组
 * registered), title, start, place, agenda, attendees (left empty, the kind's default), for a meeting
 * its 主持人 and 记录人, and for study the days to hand in 心得; and what the form shows once published.
 * Pure.
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
import type { Card } from '../../core/card.ts';
import { AGENDA_PARTS, meetingCreate } from './contracts.ts';
import { REFLECTION_DAYS } from './model.ts';

/** 党小组 offered on the new-meeting form (a 支部 has a handful; the card's component budget is 200). */
const GROUPS_SHOWN = 30;

/**
 * Members listed in the 主持人 and 记录人 pickers, each as well as in the attendees' (a 支部 has at most
 * about 50 党员; a larger org is usually split). Above it those two offer anyone in the chat, so the
 * form stays within 30 KB with 100 attendees listed, 30 党小组 and the longest agenda.
 */
const KEEPERS_LISTED = 50;

export function buildSessionNewCard(v: {
  orgId: number;
  category: 'meeting' | 'study';
  kinds: { value: string; text: string }[];
  initialKind: string;
  memberOpenIds: string[];
  agenda: string;
  error?: string;
  /** The start filled in, `YYYY-MM-DD HH:mm` (a request such as “下周三下午三点开支委会”). */
  start?: string;
  /** The org's 党小组 (from its register): a 党小组会 is for one of them. None, no choice shown. */
  groups?: string[];
}): Card {
  const groups = (v.groups ?? []).slice(0, GROUPS_SHOWN);
  const study = v.category === 'study';
  const keepers = v.memberOpenIds.length > KEEPERS_LISTED ? [] : v.memberOpenIds;
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
      ...(groups.length > 0 && !study
        ? [
            selectStatic({
              name: meetingCreate.fields.group,
              placeholder: '党小组（召开党小组会时必选）',
              options: groups.map((g) => ({ value: g, text: g })),
            }),
          ]
        : []),
      input({
        name: meetingCreate.fields.title,
        label: study ? '学习主题' : '会议主题',
        placeholder: study ? '例如：学习《中国共产党纪律处分条例》' : '例如：2026年下半年全面从严治党专题会议',
        required: true,
        maxLength: 100,
      }),
      dateTimePicker({
        name: meetingCreate.fields.start,
        placeholder: '开始时间',
        required: true,
        ...(v.start ? { initial: v.start } : {}),
      }),
      input({
        name: meetingCreate.fields.place,
        label: '地点或线上会议链接',
        placeholder: '例如：三楼会议室',
        maxLength: 200,
      }),
      // The form cannot redraw itself when the kind is changed: the agenda drawn is replaced on submit.
      ...(study
        ? []
        : [note('议程按会议类型预填；改选类型后，未改动的预填议程会换成所选类型的议程，自己填写的议程保持不变。')]),
      ...longTextInputs({
        name: meetingCreate.fields.agenda,
        label: study ? '学习内容/材料' : '议程',
        placeholder: study ? '材料链接或篇目' : '议程',
        parts: AGENDA_PARTS,
        defaultValue: v.agenda,
      }),
      personPicker({
        name: meetingCreate.fields.attendees,
        placeholder: study
          ? '参加人员（不选则为全体党员）'
          : '参加人员（不选则按会议类型：党员大会为全体党员，支委会为支委，党小组会为本小组）',
        openIds: v.memberOpenIds,
        multi: true,
      }),
      ...(study
        ? [
            input({
              name: meetingCreate.fields.days,
              label: '心得提交期限（工作日）',
              placeholder: `${REFLECTION_DAYS.min} 至 ${REFLECTION_DAYS.max} 之间的整数，不填为 ${REFLECTION_DAYS.default}`,
              maxLength: 2,
            }),
          ]
        : [
            personPicker({
              name: meetingCreate.fields.host,
              placeholder: '主持人（可不选；党员大会、支委会不选则为书记）',
              openIds: keepers,
            }),
            personPicker({
              name: meetingCreate.fields.recorder,
              placeholder: '记录人（可不选；不选则为记录纪要的人）',
              openIds: keepers,
            }),
          ]),
      meetingCreate.button(
        { text: '发布通知', type: 'primary', submit: { name: 'submit_session' }, org: v.orgId },
        { c: v.category },
      ),
    ],
  });
}

/**
 * What the form shows once its session is published: what was published and where the notice went —
 * never a second copy of the notice (the notice card is the one place to answer, sign in and count).
 */
export function buildSessionPublishedCard(v: {
  id: number;
  kindLabel: string;
  heading: string;
  when: string;
  place: string;
  host: string | null;
  recorder: string | null;
  /** Where the notice went: the org's group chat, or privately to each attendee (no group bound). */
  noticeIn: 'group' | 'attendees';
}): Card {
  const where =
    v.noticeIn === 'group'
      ? '通知已发到本组织的群聊，请在通知卡片上回复参加或请假、签到。'
      : '本组织尚未绑定群聊，通知已私信发给每位参加人员。';
  return card({
    title: `已发布${v.kindLabel}通知`,
    template: 'green',
    elements: [
      markdown(
        [
          `**${md(v.heading, 120)}**`,
          `**时间**：${md(v.when)}`,
          `**地点**：${md(v.place || '—', 200)}`,
          ...(v.host ? [`**主持人**：${md(v.host, 20)}`] : []),
          ...(v.recorder ? [`**记录人**：${md(v.recorder, 20)}`] : []),
        ].join('\n'),
      ),
      note(`${where}如需再次发送通知卡片：/会议 查看 ${v.id}`),
    ],
  });
}
