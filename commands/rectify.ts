/**
 * /rectify (/整改): the rectification ledger. Verbs: 新建 (form), 列表 (filters, paging), 查看,
 * 延期, 重开, 导入, 导出. Card buttons: progress, 销号 and extension forms for the owner; 通过销号 /
 * 阶段性完成 / 退回 for reviewers; extension decisions; import confirmation; evidence files.
 */

import { z } from 'zod';
import { buildRectItemCard, buildRectNewCard, buildRectReviewCard } from '../src/cards/rectification-card.ts';
import { clip, plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import type { ActionContext, FormValues } from '../src/core/contracts.ts';
import { defineAction, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { findBatchByName, listBatches } from '../src/db/repositories/batches.ts';
import { registerCard } from '../src/db/repositories/cards.ts';
import { findMember, listMembers } from '../src/db/repositories/members.ts';
import { findOutboxByMessageId } from '../src/db/repositories/outbox.ts';
import { findExtensionRequest } from '../src/db/repositories/rectifications.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { RECT_SOURCES, REVIEWER_ROLES } from '../src/domain/rectification.ts';
import { formatLocal, localDate } from '../src/domain/time.ts';
import { exportHistory } from '../src/services/history-export.ts';
import { exportRectifications } from '../src/services/rect-export.ts';
import { buildListCard, filterKeyOf } from '../src/services/rect-list.ts';
import * as rect from '../src/services/rectification.ts';

const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('事项编号').replace(/^#/, '');
  if (!/^\d{1,9}$/.test(w)) return r.fail(`“${w}”不是事项编号，应为数字，例如 12。`);
  return Number(w);
};
const today = (ctx: { now: Date; settings: { timezone: string } }) => localDate(ctx.now, ctx.settings.timezone);
const text = (form: FormValues, k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
const EXPORTERS = ['secretary', 'deputy', 'inspector', 'organizer', 'observer'] as const;

/** Remembers the clicked card as showing `subject`, so later changes update it in place. */
async function adoptCard(ctx: ActionContext, kind: string, subjectId: number): Promise<void> {
  if (!ctx.card.messageId) return;
  const row = await findOutboxByMessageId(ctx.db, ctx.card.messageId);
  if (row)
    await registerCard(ctx.db, {
      orgId: ctx.org?.id ?? null,
      kind,
      subjectId,
      outboxId: row.id,
      at: ctx.now.toISOString(),
    });
}

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
  if (item.version === ver) return { item, stale: undefined };
  const view = await rect.viewOf(ctx, item);
  return {
    item,
    stale: {
      toast: { type: 'warning' as const, content: '该事项已有更新，卡片已刷新为最新状态，请确认后再操作。' },
      card: review ? buildRectReviewCard(view) : buildRectItemCard(view),
    },
  };
}

const itemRef = z.object({ id: z.coerce.number().int().positive() });
const versioned = itemRef.extend({ ver: z.coerce.number().int() });

export default defineCommand({
  name: 'rectify',
  aliases: ['整改', '整改台账'],
  summary: '查看我的整改事项',
  usage: ['/整改', '/整改 列表 逾期'],
  args: argSchema((r) => {
    if (r.remaining > 0)
      r.fail(`不认识的子命令“${r.word('子命令')}”。可用：新建、列表、查看、延期、重开、导入、导出。`);
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  async handle(ctx) {
    return { type: 'card', card: await buildListCard(ctx, 'mine', 1) };
  },
  subcommands: [
    defineSubcommand({
      name: 'new',
      aliases: ['新建', '新增', '添加'],
      summary: '新建整改事项（表单）',
      usage: ['/整改 新建'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const [members, batches] = await Promise.all([listMembers(ctx.db, org.id), listBatches(ctx.db, org.id)]);
        return {
          type: 'card',
          card: buildRectNewCard({
            orgId: org.id,
            batches,
            memberOpenIds: members.map((m) => m.open_id),
            sources: RECT_SOURCES,
          }),
        };
      },
    }),
    defineSubcommand({
      name: 'list',
      aliases: ['列表', '清单'],
      summary: '整改事项列表：我的、逾期、待审核、全部、批次名或 @某人',
      usage: ['/整改 列表 逾期', '/整改 列表 @张三 2'],
      args: argSchema((r) => {
        const t = r.peek();
        const mention = t?.kind === 'mention' ? r.mention('成员') : undefined;
        let word = mention ? undefined : r.optionalWord();
        let page = 1;
        if (word && /^\d+$/.test(word)) [page, word] = [Number(word), undefined];
        const p = r.optionalWord();
        if (p !== undefined) page = /^\d+$/.test(p) ? Number(p) : r.fail(`“${p}”不是页码。`);
        return { word, mention, page };
      }),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        return { type: 'card', card: await buildListCard(ctx, await filterKeyOf(ctx, a.word, a.mention), a.page) };
      },
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看', '详情'],
      summary: '查看整改事项及其历史',
      usage: ['/整改 查看 12'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        const item = await rect.requireItem(ctx, id);
        await rect.sendItemCard(ctx, item, { chatId: ctx.chat.chatId });
        return undefined;
      },
    }),
    defineSubcommand({
      name: 'history',
      aliases: ['记录', '历史'],
      summary: '整改事项的完整历史记录（表格文件，私信发送）',
      usage: ['/整改 记录 12'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        const item = await rect.requireItem(ctx, id);
        const view = await rect.viewOf(ctx, item);
        const file = await exportHistory({
          subject: `整改事项 #${item.id}`,
          summary: clip(item.problem, 40),
          exportedAt: formatLocal(ctx.now, ctx.settings.timezone),
          entries: view.history,
        });
        await ctx.outbox.sendFile(
          { openId: ctx.actor.openId },
          { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        );
        return textMessage`整改事项 #${item.id} 共 ${file.count} 条历史记录，文件《${plain(file.fileName, 120)}》已私信发送给您。`;
      },
    }),
    defineSubcommand({
      name: 'extend',
      aliases: ['延期'],
      summary: '申请延期（由管理员审批）',
      usage: ['/整改 延期 12 2026-12-31 需等待上级批复'],
      args: argSchema((r) => ({
        id: idArg(r),
        date: r.word('延期后的日期'),
        reason: r.rest('延期理由', { required: true, max: 500 }),
      })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const date = parseDateText(a.date, today(ctx));
        if (!date) throw new UserError('bad_args', `“${a.date}”不是有效日期，例如 2026-12-31。`);
        const item = await rect.lockItem(ctx, a.id);
        await rect.requestExtension(ctx, item, date, a.reason);
        await rect.refreshItemCards(ctx, await rect.requireItem(ctx, a.id));
        return textMessage`已提交延期申请：整改事项 #${a.id} 申请延至 ${date}，等待管理员审批。`;
      },
    }),
    defineSubcommand({
      name: 'reopen',
      aliases: ['重开', '重新打开'],
      summary: '重新打开已销号的事项',
      usage: ['/整改 重开 12 回头看发现问题反弹'],
      args: argSchema((r) => ({ id: idArg(r), reason: r.rest('重开理由', { required: true, max: 500 }) })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const after = await rect.reopenItem(ctx, await rect.lockItem(ctx, a.id), a.reason);
        await rect.refreshItemCards(ctx, after);
        return textMessage`整改事项 #${a.id} 已重新打开，状态为整改中。`;
      },
    }),
    defineSubcommand({
      name: 'import',
      aliases: ['导入'],
      summary: '导入整改台账（把 .xlsx/.csv 发给清风）',
      usage: ['/整改 导入'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle() {
        return {
          type: 'text',
          text: '请在与清风的单聊中直接发送整改台账文件（.xlsx 或 .csv，不超过 5 MB、5000 行）。需要的列：问题描述、责任人、整改时限；可选：序号、问题来源、所属批次、整改措施、责任领导、整改类型、所属领域。清风会先给出预览，确认后才导入。',
        };
      },
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出整改台账 .xlsx（可指定批次）',
      usage: ['/整改 导出', '/整改 导出 2026年第一轮巡察'],
      args: argSchema((r) => ({ batch: r.rest('批次名').trim() || undefined })),
      access: { roles: EXPORTERS, chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const batch = a.batch ? await findBatchByName(ctx.db, org.id, a.batch) : undefined;
        if (a.batch && !batch) throw new UserError('not_found', `没有找到批次“${a.batch}”。`);
        const file = await exportRectifications(ctx.db, {
          org,
          batchId: batch?.id,
          now: ctx.now,
          timezone: ctx.settings.timezone,
        });
        await ctx.outbox.sendFile(
          { chatId: ctx.chat.chatId },
          { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        );
        await ctx.audit({
          action: 'rectification:export',
          subject: batch ? `batch:${batch.id}` : `org:${org.id}`,
          after: { count: file.count },
        });
        return textMessage`已导出 ${file.count} 项整改事项，文件《${plain(file.fileName, 120)}》随后发送。`;
      },
    }),
  ],
  actions: {
    'rectify.create': defineAction({
      value: z.object({}),
      roles: 'admin',
      async handle(ctx, _v, form) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const retry = async (error: string) => {
          const [members, batches] = await Promise.all([listMembers(ctx.db, org.id), listBatches(ctx.db, org.id)]);
          const memberOpenIds = members.map((m) => m.open_id);
          return {
            toast: { type: 'error' as const, content: error },
            card: buildRectNewCard({ orgId: org.id, batches, memberOpenIds, sources: RECT_SOURCES, error }),
          };
        };
        const problem = text(form, 'problem');
        const measures = text(form, 'measures');
        const deadline = parseDateText(text(form, 'deadline'), today(ctx));
        const owner = await findMember(ctx.db, org.id, text(form, 'owner'));
        if (!problem || !measures) return retry('请填写问题描述和整改措施。');
        if (!owner) return retry('请从本组织成员中选择责任人。');
        if (!deadline) return retry('请选择整改时限。');
        const batchId = Number(text(form, 'batch') || 0);
        const batches = await listBatches(ctx.db, org.id);
        const item = await rect.createItem(ctx, {
          org_id: org.id,
          batch_id: batches.some((b) => b.id === batchId) ? batchId : null,
          source: (RECT_SOURCES as readonly string[]).includes(text(form, 'source')) ? text(form, 'source') : '巡察',
          problem: clip(problem, 2000),
          measures: clip(measures, 2000),
          leader: clip(text(form, 'leader'), 50),
          owner_open_id: owner.open_id,
          owner_name: owner.name,
          deadline,
          kind: text(form, 'kind') === 'long_term' ? 'long_term' : 'centralized',
          area: clip(text(form, 'area'), 50),
          status: 'pending',
          import_key: null,
        });
        await adoptCard(ctx, 'rect_item', item.id);
        return {
          toast: { type: 'success', content: `已创建整改事项 #${item.id}，已通知责任人。` },
          card: buildRectItemCard(await rect.viewOf(ctx, item)),
        };
      },
    }),
    'rectify.form': defineAction({
      value: itemRef.extend({ form: z.enum(['view', 'progress', 'close', 'extend']) }),
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
        // 取消 on a private form shows the item again; a form is the clicker's alone (privately in a group).
        return v.form === 'view' ? { card: buildRectItemCard(view) } : { personal: buildRectItemCard(view, v.form) };
      },
    }),
    'rectify.progress': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v, form) {
        const { item, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        const percent = Number(text(form, 'percent'));
        const done = text(form, 'done');
        if (!done || !Number.isFinite(percent)) throw new UserError('bad_args', '请选择进度并填写本次完成了什么。');
        const after = await rect.reportProgress(ctx, item, {
          percent,
          text: clip(done, 1000),
          link: text(form, 'link') || undefined,
        });
        return answer(ctx, after, '进展已记录');
      },
    }),
    'rectify.submit': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v, form) {
        const { item, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        const link = text(form, 'link') || text(form, 'note') || undefined;
        const after = await rect.submitForClosing(ctx, item, { link, note: text(form, 'note') || undefined });
        return answer(ctx, after, '已提交销号申请，等待审核');
      },
    }),
    'rectify.extend': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v, form) {
        const { item, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        const date = parseDateText(text(form, 'date'), today(ctx));
        if (!date) throw new UserError('bad_args', '请选择延期后的日期。');
        const { item: after } = await rect.requestExtension(ctx, item, date, text(form, 'reason'));
        return answer(ctx, after, '延期申请已提交，等待管理员审批');
      },
    }),
    'rectify.review_form': defineAction({
      value: itemRef.extend({ form: z.enum(['view', 'return']) }),
      roles: REVIEWER_ROLES,
      async handle(ctx, v) {
        const item = await rect.requireItem(ctx, v.id);
        if (v.form === 'return' && item.owner_open_id === ctx.actor.openId) {
          throw new UserError('forbidden', '责任人不能审核自己的整改事项，请由其他纪检委员或书记审核。');
        }
        const view = await rect.viewOf(ctx, item);
        return v.form === 'view'
          ? { card: buildRectReviewCard(view) }
          : { personal: buildRectReviewCard(view, v.form) };
      },
    }),
    'rectify.approve': defineAction({
      value: versioned.extend({ decision: z.enum(['close', 'ongoing']) }),
      roles: REVIEWER_ROLES,
      async handle(ctx, v) {
        const { item, stale: s } = await stale(ctx, v.id, v.ver, true);
        if (s) return s;
        const after = await rect.reviewItem(ctx, item, v.decision);
        return answer(ctx, after, v.decision === 'close' ? '已通过销号' : '已确认阶段性完成', true);
      },
    }),
    'rectify.return': defineAction({
      value: versioned,
      roles: REVIEWER_ROLES,
      async handle(ctx, v, form) {
        const { item, stale: s } = await stale(ctx, v.id, v.ver, true);
        if (s) return s;
        const after = await rect.reviewItem(ctx, item, 'return', text(form, 'reason'));
        return answer(ctx, after, '已退回，已通知责任人', true);
      },
    }),
    'rectify.extension': defineAction({
      value: z.object({ r: z.coerce.number().int().positive(), ok: z.boolean() }),
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
    'rectify.page': defineAction({
      value: z.object({ f: z.string().max(80), p: z.coerce.number().int().min(1).max(10_000) }),
      roles: 'member',
      async handle(ctx, v) {
        // "我的" lists are the clicker's own: their pages go to them privately.
        const page = await buildListCard(ctx, v.f, v.p);
        return v.f === 'mine' ? { personal: page } : { card: page };
      },
    }),
  },
});
