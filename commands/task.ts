/**
 * /task (/任务): the responsibility list's tasks. Verbs: 新建 (form), 列表, 查看, 指派, 导入, 导出,
 * 看板 (a self-updating status board in the group). Buttons: 更新进度 / 已完成 / 遇到困难 on the owner's
 * card, quick buttons on the monthly checklist, and the quarterly 履责 report form (handled in
 * src/features/duties/actions.ts).
 */

import { clip, plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { findMember } from '../src/db/repositories/members.ts';
import { formatLocal } from '../src/domain/time.ts';
import { taskActions } from '../src/features/duties/actions.ts';
import { exportDuties } from '../src/features/duties/export.ts';
import { buildTaskList, taskFilterKey } from '../src/features/duties/list.ts';
import type { TaskEventKind } from '../src/features/duties/model.ts';
import { findDutyItem, listTaskEvents } from '../src/features/duties/repository.ts';
import * as tasks from '../src/features/duties/service.ts';
import { buildBoardCard } from '../src/features/duties/task-card.ts';
import { answerWithFile } from '../src/services/file-answer.ts';
import { exportHistory } from '../src/services/history-export.ts';

const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('任务编号').replace(/^#/, '');
  return /^\d{1,9}$/.test(w) ? Number(w) : r.fail(`“${w}”不是任务编号，应为数字。`);
};

/** What each entry of a task's history was, in the history file. */
const TASK_EVENT_LABELS: Record<TaskEventKind, string> = {
  progress: '更新进度',
  blocked: '遇到困难',
  done: '已完成',
  missed: '本期未完成',
  submitted: '提交验收',
  accepted: '验收通过',
  returned: '验收退回',
  evidence: '添加佐证材料',
  linked: '关联会议记录',
};

export default defineCommand({
  name: 'task',
  aliases: ['任务', '责任任务'],
  summary: '查看我的主体责任任务',
  usage: ['/任务', '/任务 列表 逾期'],
  args: argSchema((r) => {
    if (r.remaining > 0)
      r.fail(`不认识的子命令“${r.word('子命令')}”。可用：新建、列表、查看、指派、导入、导出、看板。`);
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  async handle(ctx) {
    return { type: 'card', card: await buildTaskList(ctx, 'mine', 1) };
  },
  subcommands: [
    defineSubcommand({
      name: 'new',
      aliases: ['新建', '新增', '添加'],
      summary: '新增主体责任任务（表单）',
      usage: ['/任务 新建'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      handle: async (ctx) => ({ type: 'card', card: await tasks.newTaskCard(ctx.db, ctx.org.id) }),
    }),
    defineSubcommand({
      name: 'list',
      aliases: ['列表'],
      summary: '任务列表：我的、逾期、全部、@某人或类别',
      usage: ['/任务 列表 逾期', '/任务 列表 @张三'],
      args: argSchema((r) => {
        const mention = r.peek()?.kind === 'mention' ? r.mention('成员') : undefined;
        const word = mention ? undefined : r.optionalWord();
        const p = r.optionalWord();
        return { word, mention, page: p && /^\d+$/.test(p) ? Number(p) : 1 };
      }),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        return { type: 'card', card: await buildTaskList(ctx, taskFilterKey(a.word, a.mention), a.page) };
      },
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看', '详情'],
      summary: '查看任务及进展记录',
      usage: ['/任务 查看 5'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        // In a private chat the card is the asker's (remembered as theirs, so it stays their view when
        // it is redrawn: no owner's buttons on someone else's task); in a group it is shared.
        const t = await tasks.requireTask(ctx, id);
        await tasks.sendTaskCard(
          ctx,
          t,
          ctx.chat.type === 'p2p' ? { openId: ctx.actor.openId } : { chatId: ctx.chat.chatId },
        );
        return undefined;
      },
    }),
    defineSubcommand({
      name: 'history',
      aliases: ['记录', '历史'],
      summary: '任务的完整进展记录（表格文件，私信发送）',
      usage: ['/任务 记录 5'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        const t = await tasks.requireTask(ctx, id);
        // 遇到困难 reasons are meant for the secretary: the owner and the admins only.
        if (ctx.actor.openId !== t.owner_open_id && !isAdminRole(ctx.actor.role)) {
          throw new UserError('forbidden', `只有责任人（${t.owner_name}）或组织管理员可以查看任务 #${id} 的完整记录。`);
        }
        const tz = ctx.settings.timezone;
        const item = await findDutyItem(ctx.db, t.item_id);
        const file = await exportHistory({
          subject: `责任任务 #${t.id}`,
          summary: clip(item?.content ?? '', 40),
          exportedAt: formatLocal(ctx.now, tz),
          entries: (await listTaskEvents(ctx.db, t.id)).map((e) => ({
            at: formatLocal(new Date(e.at), tz),
            by: e.actor_name,
            label: TASK_EVENT_LABELS[e.kind],
            text: e.text ?? '',
          })),
        });
        return answerWithFile(ctx, {
          answer: textMessage`任务 #${t.id} 共 ${file.count} 条记录，文件《${plain(file.fileName, 120)}》已私信发送给您。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
          to: { openId: ctx.actor.openId },
        });
      },
    }),
    defineSubcommand({
      name: 'assign',
      aliases: ['指派', '分派'],
      summary: '为任务增加责任人',
      usage: ['/任务 指派 5 @张三'],
      args: argSchema((r) => ({ id: idArg(r), member: r.mention('责任人') })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const t = await tasks.requireTask(ctx, a.id);
        const m = await findMember(ctx.db, t.org_id, a.member.openId);
        if (!m) throw new UserError('not_found', `${a.member.name}不是本组织成员，请先用 /角色 把其加入。`);
        const item = await findDutyItem(ctx.db, t.item_id);
        if (!item) throw new UserError('not_found', `没有找到任务 #${a.id}。`);
        await tasks.assignOwner(ctx, item, { openId: m.open_id, name: m.name });
        return textMessage`已为“${plain(item.content, 40)}”增加责任人 ${plain(m.name, 50)}，任务卡片已私信发送。`;
      },
    }),
    defineSubcommand({
      name: 'import',
      aliases: ['导入'],
      summary: '导入主体责任清单（把 .xlsx/.csv 发给清风）',
      usage: ['/任务 导入'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle() {
        return {
          type: 'text',
          text: '请在与清风的单聊中直接发送主体责任清单（.xlsx 或 .csv）。需要的列：责任内容（或工作任务）、责任人（或责任部门，多人用顿号分隔）；可选：序号、类别、牵头领导/责任领导、完成时限、频次（一次性、每月、每季度、每半年、每年）、佐证材料（每项要求的佐证，标记已完成时需要提供）。清风会先给出预览，确认后才导入。',
        };
      },
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出主体责任落实台账 .xlsx（本年度）',
      usage: ['/任务 导出'],
      args: argSchema(() => undefined),
      access: { roles: ['secretary', 'deputy', 'inspector', 'organizer', 'observer'], chat: 'any', org: 'required' },
      async handle(ctx) {
        const org = ctx.org;
        const year = ctx.today.slice(0, 4);
        const file = await exportDuties(ctx.db, {
          org,
          from: `${year}-01-01`,
          to: `${year}-12-31`,
          now: ctx.now,
          timezone: ctx.settings.timezone,
        });
        await ctx.audit({ action: 'duty:export', subject: `org:${org.id}`, after: { count: file.count } });
        return answerWithFile(ctx, {
          answer: textMessage`已导出 ${file.count} 条任务记录，文件《${plain(file.fileName, 120)}》随后发送。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        });
      },
    }),
    defineSubcommand({
      name: 'board',
      aliases: ['看板'],
      summary: '在群里发布主体责任落实看板（随进展自动更新）',
      usage: ['/任务 看板'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'group', org: 'required' },
      async handle(ctx) {
        const org = ctx.org;
        const board = buildBoardCard(await tasks.boardView(ctx.db, org.id, ctx.now, ctx.settings.timezone));
        await ctx.cards.send(tasks.boardSubject(org.id), { chatId: ctx.chat.chatId }, board);
        return undefined;
      },
    }),
  ],
  actions: taskActions,
});
