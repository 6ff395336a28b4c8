/**
 * The card actions of /rectify (registered in its `actions`): the new-item form, the owner's progress,
 * 销号 and extension forms, the reviewers' 通过销号 / 阶段性完成 / 退回, extension decisions and list
 * pages. Each is the handler of a contract in src/features/rectification/contracts.ts, so its value and form
 * arrive parsed and typed.
 */

import { actionsOf, answerForm, staleClick } from '../../cards/contract.ts';
import { clip } from '../../cards/text.ts';
import type { ActionContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { isAdminRole } from '../../core/roles.ts';
import { findMember } from '../../db/repositories/members.ts';
import { parseDateText } from '../../domain/dates.ts';
import { daysBetween } from '../../domain/time.ts';
import { listBatches } from './batch-repository.ts';
import {
  rectifyApprove,
  rectifyCreate,
  rectifyExtend,
  rectifyExtension,
  rectifyForm,
  rectifyOpen,
  rectifyPage,
  rectifyProgress,
  rectifyReturn,
  rectifyReviewForm,
  rectifySubmit,
} from './contracts.ts';
import { buildRectItemCard, buildRectReviewCard } from './item-card.ts';
import { buildListCard } from './list.ts';
import { RECT_SOURCES, REVIEWER_ROLES } from './model.ts';
import { findExtensionRequest } from './repository.ts';
import * as rect from './service.ts';

/** After a change: refresh the other cards and answer the clicked one with the new state. */
async function answer(
  ctx: ActionContext,
  item: Awaited<ReturnType<typeof rect.requireItem>>,
  toast: string,
  review = false,
) {
  await rect.refreshItemCards(ctx, item, ctx.card.messageId);
  const view = await rect.viewOf(ctx, item);
  return {
    toast: { type: 'success' as const, content: toast },
    card: review ? buildRectReviewCard(view) : buildRectItemCard(view),
  };
}

/**
 * A click carrying an old version answers with the current card instead of acting. The item is
 * locked first, so a click racing another on the same card sees the other's change here (versioned.ts).
 */
async function stale(ctx: ActionContext, id: number, ver: number, review = false) {
  const item = await rect.lockItem(ctx, id);
  const draw = async () => {
    const view = await rect.viewOf(ctx, item);
    return review ? buildRectReviewCard(view) : buildRectItemCard(view);
  };
  return { item, stale: await staleClick(item, ver, '该事项', draw) };
}

export const rectifyActions = actionsOf(
  rectifyCreate.define({
    roles: 'admin',
    org: 'required',
    async handle(ctx, v, form) {
      const org = ctx.org;
      const retry = async (error: string) => ({
        toast: { type: 'error' as const, content: error },
        card: await rect.newItemCard(ctx.db, org.id, error),
      });
      const problem = form.problem;
      const measures = form.measures;
      const deadline = parseDateText(form.deadline, ctx.today);
      const owner = await findMember(ctx.db, org.id, form.owner);
      if (!problem || !measures) return retry('请填写问题描述和整改措施。');
      if (!owner) return retry('请从本组织成员中选择责任人。');
      if (!deadline) return retry('请选择整改时限。');
      // A deadline already past is asked about first (nothing is created): the item would start late.
      if (deadline < ctx.today && v.past !== deadline) {
        const days = daysBetween(deadline, ctx.today);
        return {
          toast: { type: 'warning' as const, content: '整改时限已过，请确认。' },
          card: await rect.newItemCard(ctx.db, org.id, undefined, {
            values: { ...form, deadline },
            confirmPast: {
              deadline,
              question: `整改时限 ${deadline} 已过去 ${days} 天（自然日）。确认按这个时限创建吗？创建后该事项即标记为逾期，责任人会立即收到事项卡片，并列入每周逾期通报；创建前已过的提醒不再补发。如要改时限，请修改后点“按修改后的时限创建”。`,
            },
          }),
        };
      }
      const batchId = Number(form.batch || 0);
      const batches = await listBatches(ctx.db, org.id);
      const item = await rect.createItem(ctx, {
        org_id: org.id,
        batch_id: batches.some((b) => b.id === batchId) ? batchId : null,
        source: (RECT_SOURCES as readonly string[]).includes(form.source) ? form.source : '巡察',
        problem: clip(problem, 2000),
        measures: clip(measures, 2000),
        leader: clip(form.leader, 50),
        owner_open_id: owner.open_id,
        owner_name: owner.name,
        deadline,
        kind: form.kind === 'long_term' ? 'long_term' : 'centralized',
        area: clip(form.area, 50),
        status: 'pending',
        import_key: null,
      });
      await ctx.cards.adopt(rect.itemSubject(item), ctx.card.messageId);
      return {
        toast: { type: 'success', content: `已创建整改事项 #${item.id}，已通知责任人。` },
        card: buildRectItemCard(await rect.viewOf(ctx, item)),
      };
    },
  }),
  rectifyForm.define({
    roles: 'member',
    async handle(ctx, v) {
      const item = await rect.requireItem(ctx, v.id);
      if ((v.form === 'progress' || v.form === 'close') && ctx.actor.openId !== item.owner_open_id) {
        throw new UserError(
          'forbidden',
          `只有责任人（${item.owner_name}）可以${v.form === 'progress' ? '报告进展' : '申请销号'}。`,
        );
      }
      if (v.form === 'extend' && ctx.actor.openId !== item.owner_open_id && !isAdminRole(ctx.actor.role)) {
        throw new UserError('forbidden', `只有责任人（${item.owner_name}）或组织管理员可以申请延期。`);
      }
      const view = await rect.viewOf(ctx, item);
      return answerForm(v.form, (mode) => buildRectItemCard(view, mode));
    },
  }),
  rectifyProgress.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { item, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const percent = Number(form.percent);
      const done = form.done;
      if (!done || !Number.isFinite(percent)) throw new UserError('bad_args', '请选择进度并填写本次完成了什么。');
      const after = await rect.reportProgress(ctx, item, {
        percent,
        text: clip(done, 1000),
        link: form.link || undefined,
      });
      return answer(ctx, after, '进展已记录');
    },
  }),
  rectifySubmit.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { item, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const link = form.link || form.note || undefined;
      const after = await rect.submitForClosing(ctx, item, { link, note: form.note || undefined });
      return answer(ctx, after, '已提交销号申请，等待审核');
    },
  }),
  rectifyExtend.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { item, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const date = parseDateText(form.date, ctx.today);
      if (!date) throw new UserError('bad_args', '请选择延期后的日期。');
      const { item: after } = await rect.requestExtension(ctx, item, date, form.reason);
      return answer(ctx, after, '延期申请已提交，等待管理员审批');
    },
  }),
  rectifyReviewForm.define({
    roles: REVIEWER_ROLES,
    async handle(ctx, v) {
      const item = await rect.requireItem(ctx, v.id);
      if (v.form === 'return' && item.owner_open_id === ctx.actor.openId) {
        throw new UserError('forbidden', '责任人不能审核自己的整改事项，请由其他纪检委员或书记审核。');
      }
      const view = await rect.viewOf(ctx, item);
      return answerForm(v.form, (mode) => buildRectReviewCard(view, mode));
    },
  }),
  rectifyApprove.define({
    roles: REVIEWER_ROLES,
    async handle(ctx, v) {
      const { item, stale: s } = await stale(ctx, v.id, v.ver, true);
      if (s) return s;
      const after = await rect.reviewItem(ctx, item, v.decision);
      return answer(ctx, after, v.decision === 'close' ? '已通过销号' : '已确认阶段性完成', true);
    },
  }),
  rectifyReturn.define({
    roles: REVIEWER_ROLES,
    async handle(ctx, v, form) {
      const { item, stale: s } = await stale(ctx, v.id, v.ver, true);
      if (s) return s;
      const after = await rect.reviewItem(ctx, item, 'return', form.reason);
      return answer(ctx, after, '已退回，已通知责任人', true);
    },
  }),
  rectifyExtension.define({
    roles: 'admin',
    async handle(ctx, v) {
      const req = await findExtensionRequest(ctx.db, v.r);
      if (!req || req.org_id !== ctx.org?.id) throw new UserError('not_found', '没有找到这个延期申请。');
      const item = await rect.decideExtension(ctx, req, v.ok);
      await rect.refreshItemCards(ctx, item);
      const decided = (await findExtensionRequest(ctx.db, v.r)) ?? req;
      return {
        toast: { type: 'success', content: v.ok ? '已同意延期' : '已拒绝延期' },
        card: await rect.extensionCard(ctx, decided, item, ctx.actor.name),
      };
    },
  }),
  rectifyOpen.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v) {
      // As /整改 查看: the item's card (the same for everyone) is sent to the chat the list is in, as
      // a new message; the list card stays as it was.
      const item = await rect.requireItem(ctx, v.id);
      await rect.sendItemCard(ctx, item, ctx.chat ? { chatId: ctx.chat.chatId } : { openId: ctx.actor.openId });
      return { toast: { type: 'info', content: `已发送整改事项 #${item.id} 的卡片` } };
    },
  }),
  rectifyPage.define({
    roles: 'member',
    async handle(ctx, v) {
      // "我的" lists are the clicker's own: their pages go to them privately.
      const page = await buildListCard(ctx, v.f, v.p);
      return v.f === 'mine' ? { personal: page } : { card: page };
    },
  }),
);
