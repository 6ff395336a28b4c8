/**
 * /task (/任务): the responsibility list's tasks. Verbs: 新建 (form), 列表, 查看, 指派, 导入, 导出,
 * 看板 (a self-updating status board in the group). Buttons: 更新进度 / 已完成 / 遇到困难 on the owner's
 * card, quick buttons on the monthly checklist, and the quarterly 履责 report form.
 */

import { z } from 'zod';
import { readLongText } from '../src/cards/parts.ts';
import {
  buildBoardCard,
  buildChecklistCard,
  buildQuarterlyAskCard,
  buildTaskCard,
  buildTaskNewCard,
  MIN_REPORT_LENGTH,
  REPORT_PARTS,
} from '../src/cards/task-card.ts';
import { clip, plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import {
  type ActionContext,
  defineAction,
  defineCommand,
  defineSubcommand,
  type FormValues,
} from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { registerCard } from '../src/db/repositories/cards.ts';
import { findMember, listMembers } from '../src/db/repositories/members.ts';
import { findOutboxByMessageId } from '../src/db/repositories/outbox.ts';
import { findDutyItem, listTaskEvents, listTasks, saveQuarterlyReport } from '../src/db/repositories/tasks.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { quarterWindow } from '../src/domain/periods.ts';
import { DUTY_CATEGORIES, TASK_STATUS_LABELS, type TaskStatus } from '../src/domain/tasks.ts';
import { formatLocal, localDate } from '../src/domain/time.ts';
import { exportDuties } from '../src/services/duty-export.ts';
import { exportHistory } from '../src/services/history-export.ts';
import { buildTaskList, taskFilterKey } from '../src/services/task-list.ts';
import * as tasks from '../src/services/tasks.ts';

const today = (ctx: { now: Date; settings: { timezone: string } }) => localDate(ctx.now, ctx.settings.timezone);
const text = (form: FormValues, k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('任务编号').replace(/^#/, '');
  return /^\d{1,9}$/.test(w) ? Number(w) : r.fail(`“${w}”不是任务编号，应为数字。`);
};
const ref = z.object({ id: z.coerce.number().int().positive() });
const versioned = ref.extend({ ver: z.coerce.number().int() });

/** What each entry of a task's history was, in the history file. */
const TASK_EVENT_LABELS: Record<string, string> = {
  progress: '更新进度',
  blocked: '遇到困难',
  done: '已完成',
  missed: '本期未完成',
};

/** The clicker reads a card in their private chat; a card in a group is shared (no single reader). */
const readerHere = (ctx: ActionContext): tasks.TaskReader =>
  ctx.chat?.type === 'group' ? undefined : { openId: ctx.actor.openId, role: ctx.actor.role };

async function answer(ctx: ActionContext, t: Awaited<ReturnType<typeof tasks.requireTask>>, toast: string) {
  await tasks.refreshTaskCards(ctx, t, ctx.card.messageId);
  return {
    toast: { type: 'success' as const, content: toast },
    card: buildTaskCard(await tasks.viewOfTask(ctx, t, readerHere(ctx))),
  };
}

/** A click carrying an old version answers with the current card; the task is locked first (versioned.ts). */
async function stale(ctx: ActionContext, id: number, ver: number) {
  const t = await tasks.lockTask(ctx, id);
  if (t.version === ver) return { t, stale: undefined };
  return {
    t,
    stale: {
      toast: { type: 'warning' as const, content: '任务已有更新，卡片已刷新为最新状态，请确认后再操作。' },
      card: buildTaskCard(await tasks.viewOfTask(ctx, t, readerHere(ctx))),
    },
  };
}

/** The clicker's open tasks as a checklist (月月提 card after a quick button). */
async function checklistFor(ctx: ActionContext) {
  const org = ctx.org as NonNullable<typeof ctx.org>;
  const { rows } = await listTasks(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
  const d = today(ctx);
  return buildChecklistCard({
    orgId: org.id,
    month: d.slice(0, 7),
    name: ctx.actor.name ?? '',
    tasks: rows.map((r) => ({
      id: r.id,
      content: r.content,
      dueDate: r.due_date,
      statusLabel: TASK_STATUS_LABELS[r.status as TaskStatus] ?? r.status,
      overdue: r.due_date < d,
    })),
  });
}

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
      async handle(ctx) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const memberOpenIds = (await listMembers(ctx.db, org.id)).map((m) => m.open_id);
        return { type: 'card', card: buildTaskNewCard({ orgId: org.id, memberOpenIds, categories: DUTY_CATEGORIES }) };
      },
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
        const reader = ctx.chat.type === 'p2p' ? { openId: ctx.actor.openId, role: ctx.actor.role } : undefined;
        await tasks.sendTaskCard(ctx, await tasks.requireTask(ctx, id), { chatId: ctx.chat.chatId }, reader);
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
            label: TASK_EVENT_LABELS[e.kind] ?? '记录',
            text: e.text ?? '',
          })),
        });
        await ctx.outbox.sendFile(
          { openId: ctx.actor.openId },
          { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        );
        return textMessage`任务 #${t.id} 共 ${file.count} 条记录，文件《${plain(file.fileName, 120)}》已私信发送给您。`;
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
          text: '请在与清风的单聊中直接发送主体责任清单（.xlsx 或 .csv）。需要的列：责任内容（或工作任务）、责任人（或责任部门，多人用顿号分隔）；可选：序号、类别、牵头领导/责任领导、完成时限、频次（一次性、每月、每季度、每半年、每年）。清风会先给出预览，确认后才导入。',
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
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const year = today(ctx).slice(0, 4);
        const file = await exportDuties(ctx.db, {
          org,
          from: `${year}-01-01`,
          to: `${year}-12-31`,
          now: ctx.now,
          timezone: ctx.settings.timezone,
        });
        await ctx.outbox.sendFile(
          { chatId: ctx.chat.chatId },
          { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
        );
        await ctx.audit({ action: 'duty:export', subject: `org:${org.id}`, after: { count: file.count } });
        return textMessage`已导出 ${file.count} 条任务记录，文件《${plain(file.fileName, 120)}》随后发送。`;
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
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const board = buildBoardCard(await tasks.boardView(ctx.db, org.id, ctx.now, ctx.settings.timezone));
        const outboxId = await ctx.outbox.send(
          { chatId: ctx.chat.chatId },
          { type: 'card', card: board },
          { orgId: org.id },
        );
        await registerCard(ctx.db, {
          orgId: org.id,
          kind: 'task_board',
          subjectId: org.id,
          outboxId,
          at: ctx.now.toISOString(),
        });
        return undefined;
      },
    }),
  ],
  actions: {
    'task.create': defineAction({
      value: z.object({}),
      roles: 'admin',
      async handle(ctx, _v, form) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const members = await listMembers(ctx.db, org.id);
        const retry = (error: string) => ({
          toast: { type: 'error' as const, content: error },
          card: buildTaskNewCard({
            orgId: org.id,
            memberOpenIds: members.map((m) => m.open_id),
            categories: DUTY_CATEGORIES,
            error,
          }),
        });
        const content = text(form, 'content');
        const ids = Array.isArray(form.owners)
          ? form.owners.map(String)
          : text(form, 'owners')
            ? [text(form, 'owners')]
            : [];
        const owners = ids.map((id) => members.find((m) => m.open_id === id)).filter((m) => m !== undefined);
        const cadence = z
          .enum(['once', 'monthly', 'quarterly', 'half_yearly', 'yearly'])
          .safeParse(text(form, 'cadence'));
        const due = parseDateText(text(form, 'due'), today(ctx)) ?? null;
        if (!content) return retry('请填写责任内容。');
        if (owners.length === 0 || owners.length !== ids.length) return retry('请从本组织成员中选择责任人。');
        if (!cadence.success) return retry('请选择频次。');
        if (cadence.data === 'once' && !due) return retry('一次性任务需要完成时限。');
        const { item, tasks: created } = await tasks.createDuty(ctx, {
          content: clip(content, 2000),
          category: (DUTY_CATEGORIES as readonly string[]).includes(text(form, 'category'))
            ? text(form, 'category')
            : '其他',
          leader: clip(text(form, 'leader'), 50),
          cadence: cadence.data,
          dueDate: cadence.data === 'once' ? due : null,
          dueDay: cadence.data !== 'once' && due ? Number(due.slice(8, 10)) : null,
          evidence: clip(text(form, 'evidence'), 200),
          owners: owners.map((m) => ({ openId: m.open_id, name: m.name })),
        });
        const first = created[0];
        if (!first) return { toast: { type: 'success', content: `已创建“${clip(item.content, 20)}”` } };
        await adoptTaskCard(ctx, first.id);
        return {
          toast: { type: 'success', content: `已创建，${created.length} 位责任人已收到任务卡片` },
          card: buildTaskCard(await tasks.viewOfTask(ctx, first, readerHere(ctx))),
        };
      },
    }),
    'task.form': defineAction({
      value: ref.extend({ form: z.enum(['view', 'progress', 'blocked']) }),
      roles: 'member',
      async handle(ctx, v) {
        const t = await tasks.requireTask(ctx, v.id);
        // 取消 on a private form shows the task again.
        if (v.form === 'view') return { card: buildTaskCard(await tasks.viewOfTask(ctx, t, readerHere(ctx))) };
        if (ctx.actor.openId !== t.owner_open_id) {
          throw new UserError('forbidden', `只有责任人（${t.owner_name}）可以报告这项任务。`);
        }
        // The form is the owner's alone: in a group it goes to their private chat.
        const mine = await tasks.viewOfTask(ctx, t, { openId: ctx.actor.openId, role: ctx.actor.role });
        return { personal: buildTaskCard(mine, v.form) };
      },
    }),
    'task.progress': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v, form) {
        const { t, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        const status = z.enum(['in_progress', 'done', 'blocked']).safeParse(text(form, 'status'));
        const done = text(form, 'done');
        if (!status.success || !done) throw new UserError('bad_args', '请选择状态并填写做了什么。');
        const after = await tasks.reportTask(ctx, t, {
          status: status.data,
          percent: Number(text(form, 'percent')) || 0,
          text: clip(done, 1000),
          link: text(form, 'link') || undefined,
        });
        return answer(ctx, after, status.data === 'blocked' ? '已记录，已通知书记' : '进度已更新');
      },
    }),
    'task.done': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v) {
        const { t, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        return answer(ctx, await tasks.markTaskDone(ctx, t), '已标记完成');
      },
    }),
    'task.quickdone': defineAction({
      value: ref,
      roles: 'member',
      async handle(ctx, v) {
        const t = await tasks.lockTask(ctx, v.id);
        const after = await tasks.markTaskDone(ctx, t);
        await tasks.refreshTaskCards(ctx, after);
        return { toast: { type: 'success', content: `任务 #${v.id} 已完成` }, personal: await checklistFor(ctx) };
      },
    }),
    'task.blocked': defineAction({
      value: versioned,
      roles: 'member',
      async handle(ctx, v, form) {
        const { t, stale: s } = await stale(ctx, v.id, v.ver);
        if (s) return s;
        const reason = text(form, 'reason');
        if (!reason) throw new UserError('bad_args', '请说明遇到的困难。');
        const after = await tasks.reportTask(ctx, t, {
          status: 'blocked',
          percent: t.percent,
          text: clip(reason, 500),
        });
        return answer(ctx, after, '已记录，已通知书记');
      },
    }),
    'task.page': defineAction({
      value: z.object({ f: z.string().max(80), p: z.coerce.number().int().min(1).max(10_000) }),
      roles: 'member',
      async handle(ctx, v) {
        // "我的" lists are the clicker's own: their pages go to them privately.
        const page = await buildTaskList(ctx, v.f, v.p);
        return v.f === 'mine' ? { personal: page } : { card: page };
      },
    }),
    'task.report': defineAction({
      value: z.object({ q: z.string().regex(/^\d{4}Q[1-4]$/) }),
      roles: 'member',
      async handle(ctx, v, form) {
        const org = ctx.org as NonNullable<typeof ctx.org>;
        const body = readLongText(form, 'text', REPORT_PARTS);
        if (Array.from(body).length < MIN_REPORT_LENGTH) {
          throw new UserError(
            'bad_args',
            `履责情况不少于 ${MIN_REPORT_LENGTH} 字（现在 ${Array.from(body).length} 字）。`,
          );
        }
        const q = quarterWindow(today(ctx), ctx.calendar);
        if (v.q !== q.key) throw new UserError('stale', `${v.q} 的报告已截止。`);
        await saveQuarterlyReport(ctx.db, {
          orgId: org.id,
          ownerOpenId: ctx.actor.openId,
          quarter: v.q,
          text: clip(body, 3000),
          evidence: clip(text(form, 'evidence'), 500),
          at: ctx.now.toISOString(),
        });
        await ctx.audit({ action: 'duty:quarterly_report', subject: `report:${v.q}`, after: { length: body.length } });
        return {
          toast: { type: 'success', content: '履责报告已提交' },
          card: buildQuarterlyAskCard({
            orgId: org.id,
            quarter: v.q,
            end: q.end,
            submitted: { text: body, at: formatLocal(ctx.now, ctx.settings.timezone) },
          }),
        };
      },
    }),
  },
});

/** The form card that created a task now shows it: remember it for later updates. */
async function adoptTaskCard(ctx: ActionContext, taskId: number): Promise<void> {
  if (!ctx.card.messageId) return;
  const row = await findOutboxByMessageId(ctx.db, ctx.card.messageId);
  if (row)
    await registerCard(ctx.db, {
      orgId: ctx.org?.id ?? null,
      kind: 'task',
      subjectId: taskId,
      outboxId: row.id,
      at: ctx.now.toISOString(),
    });
}
