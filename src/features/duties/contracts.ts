/** The card actions of /task: the new-task form, the owner's buttons and forms, the checklist, paging, 季季报. */
import { z } from 'zod';
import { cardAction, formList, formLongText, formText, pageValue } from '../../cards/contract.ts';

/** The quarterly report comes in up to 3 inputs of 1000 characters (Feishu's limit per input), joined. */
export const REPORT_PARTS = 3;

const ref = { id: z.coerce.number().int().positive() };
const versioned = { ...ref, ver: z.coerce.number().int() };

/** 创建 on the new-task form. */
export const taskCreate = cardAction('task.create', {
  form: {
    content: formText(),
    owners: formList({ single: true }),
    leader: formText(),
    cadence: formText(),
    due: formText(),
    category: formText(),
    evidence: formText(),
  },
});

/** Opens the owner's 更新进度 / 遇到困难 form, or back to the card (`view`, 取消). */
export const taskForm = cardAction('task.form', {
  value: { ...ref, form: z.enum(['view', 'progress', 'blocked']) },
});

export const taskProgress = cardAction('task.progress', {
  value: versioned,
  form: { status: formText(), percent: formText(), done: formText(), link: formText() },
});

export const taskDone = cardAction('task.done', { value: versioned });

/** 已完成 on the 月月提 checklist (no version: the checklist lists many tasks). */
export const taskQuickdone = cardAction('task.quickdone', { value: ref });

export const taskBlocked = cardAction('task.blocked', { value: versioned, form: { reason: formText() } });

/** 验收通过 / 退回 on a task 待验收, read by the 书记 or 纪检委员 (the reason is needed to return). */
export const taskReview = cardAction('task.review', {
  value: { ...versioned, d: z.enum(['accept', 'return']) },
  form: { reason: formText() },
});

export const taskPage = cardAction('task.page', { value: pageValue });

/** 提交报告 on the quarterly 履责 report form. */
export const taskReport = cardAction('task.report', {
  value: { q: z.string().regex(/^\d{4}Q[1-4]$/) },
  form: { text: formLongText(REPORT_PARTS), evidence: formText() },
});

/** 查看 on a list row: sends the task's card (issue 14 item 4), as `/任务 查看 编号` does. */
export const taskOpen = cardAction('task.open', { value: ref });
