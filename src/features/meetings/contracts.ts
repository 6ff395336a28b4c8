/** The card actions of /meeting (and /study): the new-session form, 签到, 请假, 纪要, 心得, 转为任务. */
import { z } from 'zod';
import { cardAction, formList, formLongText, formText } from '../../cards/contract.ts';

/**
 * Long texts come in several inputs of at most 1000 characters (Feishu's limit per input), joined
 * by the handler: minutes up to 3000 characters, 心得 up to 5000, an agenda up to 2000.
 */
export const MINUTES_PARTS = 3;
export const REFLECTION_PARTS = 5;
export const AGENDA_PARTS = 2;

const ref = { id: z.coerce.number().int().positive() };

/** 发布通知 on the new meeting / study form. */
export const meetingCreate = cardAction('meeting.create', {
  value: { c: z.enum(['meeting', 'study']) },
  form: {
    kind: formText(),
    title: formText(),
    start: formText(),
    place: formText(),
    agenda: formLongText(AGENDA_PARTS),
    attendees: formList(),
    days: formText(),
    /** The 党小组 of a 党小组会 (the select shows only when the org has 小组 registered). */
    group: formText(),
    /** The 主持人 and 记录人 of a meeting (person pickers, optional; the 三会一课记录簿 lists them). */
    host: formList({ single: true }),
    recorder: formList({ single: true }),
  },
});

/** Opens a form on a session card (请假, 记录纪要, 提交心得, 补正), or back to the card (`view`, 取消). */
export const meetingForm = cardAction('meeting.form', {
  value: { ...ref, form: z.enum(['view', 'leave', 'minutes', 'reflection', 'correct']) },
});

export const meetingSign = cardAction('meeting.sign', { value: ref });

/** The 参会回执 参加 (before the start; 签到 is still taken in the window). */
export const meetingAttend = cardAction('meeting.attend', { value: ref });

/** An admin's 补正 from the card's form: the person, 签到 / 请假 / 缺席, and the reason. */
export const meetingCorrect = cardAction('meeting.correct', {
  value: ref,
  form: { person: formList({ single: true }), to: formText(), reason: formText() },
});

export const meetingLeave = cardAction('meeting.leave', { value: ref, form: { reason: formText() } });

export const meetingMinutes = cardAction('meeting.minutes', {
  value: { ...ref, ver: z.coerce.number().int() },
  form: { minutes: formLongText(MINUTES_PARTS), link: formText() },
});

export const meetingReflection = cardAction('meeting.reflection', {
  value: ref,
  form: { text: formLongText(REFLECTION_PARTS), link: formText() },
});

/** 转为任务: the decisions in the minutes, as a pre-filled new-task form sent privately. */
export const meetingToTask = cardAction('meeting.to_task', { value: ref });

/** 补录: an admin's record of a meeting held before the bot was used (features/meetings/backfill.ts). */
export const meetingBackfill = cardAction('meeting.backfill', {
  form: {
    kind: formText(),
    title: formText(),
    start: formText(),
    place: formText(),
    present: formList(),
    leave: formList(),
    absent: formList(),
    minutes: formLongText(MINUTES_PARTS),
  },
});

/** 补学 on one's private list of missed study sessions: the session's material and the 补学 心得 form. */
export const studyMakeupOpen = cardAction('study.makeup_open', { value: ref });

/** 提交补学心得 on the 补学 card: a 心得 recorded as 补学 (features/meetings/makeup.ts). */
export const studyMakeup = cardAction('study.makeup', {
  value: ref,
  form: { text: formLongText(REFLECTION_PARTS), link: formText() },
});

/** 查看 on a row of the year's list (issue 14 item 4): posts the session's card, as `/会议 查看 编号` does. */
export const meetingOpen = cardAction('meeting.open', { value: ref });
