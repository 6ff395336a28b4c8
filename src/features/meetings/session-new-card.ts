/**
 * The form behind `/会议 新建` and `/学习 新建`: kind, the 党小组 of a 党小组会 (when the org has 小组
 * registered), title, start, place, agenda, attendees (left empty, the kind's default) and for study the
 * days to hand in 心得. Pure.
 */
import { dateTimePicker, input, longTextInputs, personPicker, selectStatic } from '../../cards/parts.ts';
import { newItemFormCard } from '../../cards/tracked-item.ts';
import type { Card } from '../../core/card.ts';
import { AGENDA_PARTS, meetingCreate } from './contracts.ts';

/** 党小组 offered on the new-meeting form (a 支部 has a handful; the card's component budget is 200). */
const GROUPS_SHOWN = 30;

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
