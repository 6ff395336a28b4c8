/**
 * /rectify (/整改): the rectification ledger. Verbs: 新建 (form), 列表 (filters, paging), 查看,
 * 延期, 重开, 导入, 导出. Card buttons: progress, 销号 and extension forms for the owner; 通过销号 /
 * 阶段性完成 / 退回 for reviewers; extension decisions (handled in src/features/rectification/actions.ts).
 */

import { clip, plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { formatLocal } from '../src/domain/time.ts';
import { rectifyActions } from '../src/features/rectification/actions.ts';
import { findBatchByName } from '../src/features/rectification/batch-repository.ts';
import { exportRectifications } from '../src/features/rectification/export.ts';
import { buildListCard, filterKeyOf } from '../src/features/rectification/list.ts';
import * as rect from '../src/features/rectification/service.ts';
import { answerWithFile } from '../src/services/file-answer.ts';
import { exportHistory } from '../src/services/history-export.ts';

const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('事项编号').replace(/^#/, '');
  if (!/^\d{1,9}$/.test(w)) return r.fail(`“${w}”不是事项编号，应为数字，例如 12。`);
  return Number(w);
};
const EXPORTERS = ['secretary', 'deputy', 'inspector', 'organizer', 'observer'] as const;

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
      handle: async (ctx) => ({ type: 'card', card: await rect.newItemCard(ctx.db, ctx.org.id) }),
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
        return answerWithFile(ctx, {
          answer: textMessage`整改事项 #${item.id} 共 ${file.count} 条历史记录，文件《${plain(file.fileName, 120)}》已私信发送给您。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
          to: { openId: ctx.actor.openId },
        });
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
        const date = parseDateText(a.date, ctx.today);
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
        const org = ctx.org;
        const batch = a.batch ? await findBatchByName(ctx.db, org.id, a.batch) : undefined;
        if (a.batch && !batch) throw new UserError('not_found', `没有找到批次“${a.batch}”。`);
        const file = await exportRectifications(ctx.db, {
          org,
          batchId: batch?.id,
          now: ctx.now,
          timezone: ctx.settings.timezone,
        });
        await ctx.audit({
          action: 'rectification:export',
          subject: batch ? `batch:${batch.id}` : `org:${org.id}`,
          after: { count: file.count },
        });
        return answerWithFile(ctx, {
          answer: textMessage`已导出 ${file.count} 项整改事项，文件《${plain(file.fileName, 120)}》随后发送。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        });
      },
    }),
  ],
  actions: rectifyActions,
});
