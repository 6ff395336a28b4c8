/**
 * /inspection (/巡察): inspection batches. `反馈 <日期> <名称>` records the feedback date D and the
 * batch's milestones (整改方案 D+1 月, 整改情况报告 D+2 月, 集中整改评估 D+3 月, 回头看 D+6 / D+12 月);
 * `列表`, `查看`, `节点` (move a milestone), `完成` (mark it done). A milestone that would fall on a
 * day off (computed or typed) is put on the working day before it, and the answer says so.
 */

import { safeText, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { type CommandContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { buildBatchCard } from '../src/features/rectification/batch-card.ts';
import {
  createBatch,
  findBatchByName,
  listBatches,
  listMilestones,
  markMilestoneDone,
  moveMilestone,
} from '../src/features/rectification/batch-repository.ts';
import { batchMilestones, batchView, movedNote, onWorkday } from '../src/features/rectification/batches.ts';

async function requireBatch(ctx: CommandContext<'required'>, name: string) {
  const batch = await findBatchByName(ctx.db, ctx.org.id, name);
  if (!batch) throw new UserError('not_found', `没有找到批次“${name}”。发送 /巡察 列表 查看全部批次。`);
  return batch;
}

async function requireMilestone(ctx: CommandContext<'required'>, batchName: string, n: string) {
  const batch = await requireBatch(ctx, batchName);
  const milestones = await listMilestones(ctx.db, batch.id);
  const m = milestones[Number(n) - 1];
  if (!/^\d+$/.test(n) || !m) throw new UserError('bad_args', `节点序号应为 1–${milestones.length}。`);
  return { batch, m };
}

const batchMessage = async (ctx: CommandContext<'required'>, name: string, notes: readonly string[] = []) => ({
  type: 'card' as const,
  card: buildBatchCard(await batchView(ctx.db, await requireBatch(ctx, name), ctx.today, ctx.calendar, notes)),
});

export default defineCommand({
  name: 'inspection',
  aliases: ['巡察', '巡视', '巡察整改'],
  summary: '巡察整改批次及其时间节点',
  usage: ['/巡察 列表'],
  args: argSchema((r) => {
    if (r.remaining > 0) r.fail(`不认识的子命令“${r.word('子命令')}”。可用：反馈、列表、查看、节点、完成。`);
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  async handle(ctx) {
    const batches = await listBatches(ctx.db, ctx.org.id);
    if (batches.length === 0)
      return { type: 'text', text: '还没有巡察整改批次。管理员可发送 /巡察 反馈 2026-11-20 2026年第一轮巡察 创建。' };
    const lines = batches.map((b) => safeText`· ${b.name}（反馈 ${b.feedback_date}）`).join('\n');
    return textMessage`巡察整改批次：\n${lines}\n发送 /巡察 查看 批次名 查看节点。`;
  },
  subcommands: [
    defineSubcommand({
      name: 'feedback',
      aliases: ['反馈'],
      summary: '登记巡察反馈，生成整改时间节点',
      usage: ['/巡察 反馈 2026-11-20 2026年第一轮巡察'],
      args: argSchema((r) => ({
        date: r.word('反馈日期'),
        name: r.rest('批次名称', { required: true, max: 60 }).trim(),
      })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const org = ctx.org;
        const date = parseDateText(a.date, ctx.today);
        if (!date) throw new UserError('bad_args', `“${a.date}”不是有效日期，例如 2026-11-20。`);
        if (await findBatchByName(ctx.db, org.id, a.name)) throw new UserError('conflict', `批次“${a.name}”已存在。`);
        const source = a.name.includes('巡视') ? '巡视' : a.name.includes('审计') ? '审计' : '巡察';
        const milestones = batchMilestones(date, ctx.calendar);
        const batch = await createBatch(
          ctx.db,
          {
            org_id: org.id,
            name: a.name,
            source,
            feedback_date: date,
            created_by: ctx.actor.openId,
            created_at: ctx.now.toISOString(),
          },
          milestones,
        );
        await ctx.audit({
          action: 'inspection:create',
          subject: `batch:${batch.id}`,
          after: { name: a.name, feedbackDate: date },
        });
        const moved = milestones.map((m) => movedNote(m.title, m)).filter((n) => n !== undefined);
        return batchMessage(ctx, a.name, moved);
      },
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看', '详情'],
      summary: '查看批次的时间节点和整改情况',
      usage: ['/巡察 查看 2026年第一轮巡察'],
      args: argSchema((r) => r.rest('批次名称', { required: true }).trim()),
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: (ctx, name) => batchMessage(ctx, name),
    }),
    defineSubcommand({
      name: 'milestone',
      aliases: ['节点'],
      summary: '调整批次的时间节点',
      usage: ['/巡察 节点 2026年第一轮巡察 1 2026-12-25'],
      args: argSchema((r) => ({ batch: r.word('批次名称'), n: r.word('节点序号'), date: r.word('新的日期') })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const { batch, m } = await requireMilestone(ctx, a.batch, a.n);
        const date = parseDateText(a.date, ctx.today);
        if (!date) throw new UserError('bad_args', `“${a.date}”不是有效日期。`);
        // A day off typed here is moved as a computed one would be, and the answer says so.
        const due = onWorkday(date, ctx.calendar);
        if (!(await moveMilestone(ctx.db, m, due.due)))
          throw new UserError(
            'conflict',
            `这个节点刚刚被他人调整过，请发送 /巡察 查看 ${batch.name} 看看现在的日期后再试。`,
          );
        await ctx.audit({
          action: 'inspection:milestone',
          subject: `milestone:${m.id}`,
          before: { due: m.due_date },
          after: { due: due.due, ...(due.moved ? { asked: date } : {}) },
        });
        const note = movedNote(m.title, due);
        return batchMessage(ctx, batch.name, note ? [note] : []);
      },
    }),
    defineSubcommand({
      name: 'done',
      aliases: ['完成'],
      summary: '标记时间节点已完成',
      usage: ['/巡察 完成 2026年第一轮巡察 1'],
      args: argSchema((r) => ({ batch: r.word('批次名称'), n: r.word('节点序号') })),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const { batch, m } = await requireMilestone(ctx, a.batch, a.n);
        if (m.done_at || !(await markMilestoneDone(ctx.db, m.id, { at: ctx.now.toISOString(), by: ctx.actor.openId })))
          throw new UserError('conflict', '这个节点已经标记完成。');
        await ctx.audit({
          action: 'inspection:milestone_done',
          subject: `milestone:${m.id}`,
          before: { done: false },
          after: { done: true },
        });
        return batchMessage(ctx, batch.name);
      },
    }),
  ],
});
