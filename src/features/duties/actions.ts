/**
 * The card actions of /task (registered in its `actions`): the new-task form, the owner's 更新进度 /
 * 已完成 / 遇到困难, the 月月提 quick buttons, list pages and the quarterly 履责 report. Each is the
 * handler of a contract in src/features/duties/contracts.ts, so its value and form arrive parsed and typed.
 */
import { z } from 'zod';
import { actionsOf, staleClick } from '../../cards/contract.ts';
import { periodText } from '../../cards/period-text.ts';
import { clip } from '../../cards/text.ts';
import type { ActionContext } from '../../core/contracts.ts';
import { UserError } from '../../core/errors.ts';
import { listMembers } from '../../db/repositories/members.ts';
import { parseDateText } from '../../domain/dates.ts';
import { quarterWindow } from '../../domain/periods.ts';
import { formatLocal } from '../../domain/time.ts';
import {
  taskBlocked,
  taskCreate,
  taskDone,
  taskForm,
  taskOpen,
  taskPage,
  taskProgress,
  taskQuickdone,
  taskReport,
  taskReview,
} from './contracts.ts';
import { buildTaskList, checklistCard } from './list.ts';
import { DUTY_CATEGORIES, REPORTED_TASK_STATUSES } from './model.ts';
import { listTasks, saveQuarterlyReport } from './repository.ts';
import * as tasks from './service.ts';
import { buildQuarterlyAskCard, buildTaskCard, MIN_REPORT_LENGTH } from './task-card.ts';

/** The toast when 已完成 sends the task to 验收 (its item requires evidence). */
const SUBMITTED = '已提交，待书记或纪检委员验收';

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
  const draw = async () => buildTaskCard(await tasks.viewOfTask(ctx, t, readerHere(ctx)));
  return { t, stale: await staleClick(t, ver, '任务', draw) };
}

/**
 * A file sent to the bot, attached as a task's evidence on the attach form (commands/import.ts): the
 * form turns into the task's card (it is the sender's private card).
 */
export async function attachToTask(
  ctx: ActionContext,
  id: number,
  file: { kind: 'file'; value: string; name: string },
) {
  const after = await tasks.attachTaskFile(ctx, await tasks.lockTask(ctx, id), file);
  await tasks.refreshTaskCards(ctx, after);
  return {
    toast: { type: 'success' as const, content: `已作为任务 #${id} 的佐证材料` },
    card: buildTaskCard(await tasks.viewOfTask(ctx, after, readerHere(ctx))),
  };
}

/** The clicker's open tasks as a checklist (月月提 card after a quick button). */
async function checklistFor(ctx: ActionContext<'required'>) {
  const org = ctx.org;
  const { rows } = await listTasks(ctx.db, org.id, { kind: 'mine', openId: ctx.actor.openId });
  return checklistCard({ orgId: org.id, today: ctx.today, name: ctx.actor.name ?? '', rows });
}

export const taskActions = actionsOf(
  taskCreate.define({
    roles: 'admin',
    org: 'required',
    async handle(ctx, _v, form) {
      const org = ctx.org;
      const members = await listMembers(ctx.db, org.id);
      const retry = async (error: string) => ({
        toast: { type: 'error' as const, content: error },
        card: await tasks.newTaskCard(ctx.db, org.id, { error }),
      });
      const content = form.content;
      const ids = form.owners;
      const owners = ids.map((id) => members.find((m) => m.open_id === id)).filter((m) => m !== undefined);
      const cadence = z.enum(['once', 'monthly', 'quarterly', 'half_yearly', 'yearly']).safeParse(form.cadence);
      const due = parseDateText(form.due, ctx.today) ?? null;
      if (!content) return retry('请填写责任内容。');
      if (owners.length === 0 || owners.length !== ids.length) return retry('请从本组织成员中选择责任人。');
      if (!cadence.success) return retry('请选择频次。');
      if (cadence.data === 'once' && !due) return retry('一次性任务需要完成时限。');
      const { item, tasks: created } = await tasks.createDuty(ctx, {
        content: clip(content, 2000),
        category: (DUTY_CATEGORIES as readonly string[]).includes(form.category) ? form.category : '其他',
        leader: clip(form.leader, 50),
        cadence: cadence.data,
        dueDate: cadence.data === 'once' ? due : null,
        dueDay: cadence.data !== 'once' && due ? Number(due.slice(8, 10)) : null,
        evidence: clip(form.evidence, 200),
        owners: owners.map((m) => ({ openId: m.open_id, name: m.name })),
      });
      const first = created[0];
      if (!first) return { toast: { type: 'success', content: `已创建“${clip(item.content, 20)}”` } };
      await ctx.cards.adopt(tasks.taskSubject(first), ctx.card.messageId);
      return {
        toast: { type: 'success', content: `已创建，${created.length} 位责任人已收到任务卡片` },
        card: buildTaskCard(await tasks.viewOfTask(ctx, first, readerHere(ctx))),
      };
    },
  }),
  taskForm.define({
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
  taskProgress.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { t, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const status = z.enum(REPORTED_TASK_STATUSES).safeParse(form.status);
      const done = form.done;
      if (!status.success || !done) throw new UserError('bad_args', '请选择状态并填写做了什么。');
      const after = await tasks.reportTask(ctx, t, {
        status: status.data,
        percent: Number(form.percent) || 0,
        text: clip(done, 1000),
        link: form.link || undefined,
      });
      const toast =
        after.status === 'submitted' ? SUBMITTED : status.data === 'blocked' ? '已记录，已通知书记' : '进度已更新';
      return answer(ctx, after, toast);
    },
  }),
  taskDone.define({
    roles: 'member',
    async handle(ctx, v) {
      const { t, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const after = await tasks.markTaskDone(ctx, t);
      return answer(ctx, after, after.status === 'submitted' ? SUBMITTED : '已标记完成');
    },
  }),
  taskQuickdone.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v) {
      const t = await tasks.lockTask(ctx, v.id);
      const after = await tasks.markTaskDone(ctx, t);
      await tasks.refreshTaskCards(ctx, after);
      const content = after.status === 'submitted' ? `任务 #${v.id} ${SUBMITTED}` : `任务 #${v.id} 已完成`;
      return { toast: { type: 'success', content }, personal: await checklistFor(ctx) };
    },
  }),
  taskBlocked.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { t, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const reason = form.reason;
      if (!reason) throw new UserError('bad_args', '请说明遇到的困难。');
      const after = await tasks.reportTask(ctx, t, {
        status: 'blocked',
        percent: t.percent,
        text: clip(reason, 500),
      });
      return answer(ctx, after, '已记录，已通知书记');
    },
  }),
  taskReview.define({
    roles: 'member',
    async handle(ctx, v, form) {
      const { t, stale: s } = await stale(ctx, v.id, v.ver);
      if (s) return s;
      const after = await tasks.reviewTask(ctx, t, { decision: v.d, reason: form.reason });
      return answer(ctx, after, v.d === 'accept' ? '已验收通过' : '已退回，已通知责任人');
    },
  }),
  taskOpen.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v) {
      // As /任务 查看: in a group the shared card (no 遇到困难 reason) goes to the group as a new
      // message; in a private chat the clicker's own copy. The list card stays as it was.
      const t = await tasks.requireTask(ctx, v.id);
      await tasks.sendTaskCard(
        ctx,
        t,
        ctx.chat?.type === 'group' ? { chatId: ctx.chat.chatId } : { openId: ctx.actor.openId },
      );
      return { toast: { type: 'info', content: `已发送任务 #${t.id} 的卡片` } };
    },
  }),
  taskPage.define({
    roles: 'member',
    async handle(ctx, v) {
      // "我的" lists are the clicker's own: their pages go to them privately.
      const page = await buildTaskList(ctx, v.f, v.p);
      return v.f === 'mine' ? { personal: page } : { card: page };
    },
  }),
  taskReport.define({
    roles: 'member',
    org: 'required',
    async handle(ctx, v, form) {
      const org = ctx.org;
      const body = form.text;
      if (Array.from(body).length < MIN_REPORT_LENGTH) {
        throw new UserError(
          'bad_args',
          `履责情况不少于 ${MIN_REPORT_LENGTH} 字（现在 ${Array.from(body).length} 字）。`,
        );
      }
      const q = quarterWindow(ctx.today, ctx.calendar);
      if (v.q !== q.key) throw new UserError('stale', `${periodText({ key: v.q })}的报告已截止。`);
      await saveQuarterlyReport(ctx.db, {
        orgId: org.id,
        ownerOpenId: ctx.actor.openId,
        quarter: v.q,
        text: clip(body, 3000),
        evidence: clip(form.evidence, 500),
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
);
