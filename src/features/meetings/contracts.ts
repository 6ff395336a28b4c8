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
  },
});

/** Opens a form on a session card (请假, 记录纪要, 提交心得), or back to the card (`view`, 取消). */
export const meetingForm = cardAction('meeting.form', {
  value: { ...ref, form: z.enum(['view', 'leave', 'minutes', 'reflection']) },
});

export const meetingSign = cardAction('meeting.sign', { value: ref });

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
