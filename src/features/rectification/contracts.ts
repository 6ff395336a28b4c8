/** The card actions of /rectify: the new-item form, the owner's and the reviewers' buttons and forms, extensions, paging. */
import { z } from 'zod';
import { cardAction, formText, pageValue } from '../../cards/contract.ts';

const ref = { id: z.coerce.number().int().positive() };
const versioned = { ...ref, ver: z.coerce.number().int() };

/**
 * 创建 on the new-item form; 确认创建 carries the past deadline the admin was asked about (`past`),
 * so a deadline changed meanwhile is asked about again.
 */
export const rectifyCreate = cardAction('rectify.create', {
  value: { past: z.string().optional() },
  form: {
    problem: formText(),
    measures: formText(),
    owner: formText(),
    leader: formText(),
    deadline: formText(),
    kind: formText(),
    source: formText(),
    batch: formText(),
    area: formText(),
  },
});

/** Opens the owner's progress / 销号 / extension form, or back to the card (`view`, 取消). */
export const rectifyForm = cardAction('rectify.form', {
  value: { ...ref, form: z.enum(['view', 'progress', 'close', 'extend']) },
});

export const rectifyProgress = cardAction('rectify.progress', {
  value: versioned,
  form: { percent: formText(), done: formText(), link: formText() },
});

/** 提交销号申请. */
export const rectifySubmit = cardAction('rectify.submit', {
  value: versioned,
  form: { link: formText(), note: formText() },
});

export const rectifyExtend = cardAction('rectify.extend', {
  value: versioned,
  form: { date: formText(), reason: formText() },
});

/** Opens the reviewers' 退回 form, or back to the review card (`view`, 取消). */
export const rectifyReviewForm = cardAction('rectify.review_form', {
  value: { ...ref, form: z.enum(['view', 'return']) },
});

/** 通过销号 (`close`) or, for a long-term item, 阶段性完成 (`ongoing`). */
export const rectifyApprove = cardAction('rectify.approve', {
  value: { ...versioned, decision: z.enum(['close', 'ongoing']) },
});

export const rectifyReturn = cardAction('rectify.return', { value: versioned, form: { reason: formText() } });

/** 同意延期 (`ok: true`) / 拒绝 on an extension request. */
export const rectifyExtension = cardAction('rectify.extension', {
  value: { r: z.coerce.number().int().positive(), ok: z.boolean() },
});

export const rectifyPage = cardAction('rectify.page', { value: pageValue });

/** 查看 on a list row: sends the item's card (issue 14 item 4), as `/整改 查看 编号` does. */
export const rectifyOpen = cardAction('rectify.open', { value: ref });
