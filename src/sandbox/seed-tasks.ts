/**
 * Demo responsibility list for the sandbox: eight items of the 2026 主体责任清单 split among the
 * branch's officers and members (一岗双责), in every state — done, in progress, blocked, overdue —
 * and the status board posted in the group.
 */
import { listOrgChats } from '../db/repositories/orgs.ts';
import { addDays } from '../domain/time.ts';
import type { Cadence } from '../features/duties/model.ts';
import * as tasks from '../features/duties/service.ts';
import { buildBoardCard } from '../features/duties/task-card.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

export async function seedTasks(d: SeedDeps): Promise<void> {
  await seedInTransaction(d, async ({ trx, today, by, withRole, as }) => {
    const secretary = withRole('secretary');
    const admin = as(secretary);
    const add = async (o: {
      content: string;
      category: string;
      cadence: Cadence;
      owners: string[];
      due?: string;
      evidence?: string;
    }) =>
      (
        await tasks.createDuty(admin, {
          content: o.content,
          category: o.category,
          leader: secretary.name,
          cadence: o.cadence,
          dueDate: o.cadence === 'once' ? (o.due ?? addDays(today, 20)) : null,
          dueDay: null,
          evidence: o.evidence ?? '',
          owners: o.owners.map((n) => ({ openId: by(n).open_id, name: n })),
        })
      ).tasks;

    const committee = await add({
      content: '每月召开支委会，专题研究党风廉政建设工作',
      category: '作风建设',
      cadence: 'monthly',
      owners: ['李明华'],
      evidence: '会议纪要',
    });
    const lecture = await add({
      content: '每季度讲一次廉政党课',
      category: '思想建设',
      cadence: 'quarterly',
      owners: ['王建国'],
      evidence: '党课讲稿、签到表',
    });
    await add({
      content: '落实谈心谈话制度，每半年与分管党员谈心谈话一次',
      category: '组织建设',
      cadence: 'half_yearly',
      owners: ['张晓燕', '陈志强'],
    });
    await add({
      content: '组织全体党员参加警示教育并撰写心得',
      category: '纪律建设',
      cadence: 'once',
      owners: ['王建国'],
      due: addDays(today, -3),
    });
    const ideology = await add({
      content: '开展意识形态领域风险排查，形成分析报告',
      category: '政治建设',
      cadence: 'once',
      owners: ['陈志强'],
      due: addDays(today, 10),
    });
    const fees = await add({
      content: '按月收缴党费并公示',
      category: '组织建设',
      cadence: 'monthly',
      owners: ['张晓燕'],
    });
    await add({
      content: '梳理重点岗位廉政风险点并更新防控清单',
      category: '制度建设',
      cadence: 'yearly',
      owners: ['刘洋', '孙磊'],
    });
    await add({
      content: '落实“三重一大”集体决策制度，全程留痕',
      category: '反腐败',
      cadence: 'quarterly',
      owners: ['李明华'],
    });

    const first = <T>(xs: T[]) => xs[0] as T;
    await tasks.markTaskDone(as(by('张晓燕')), first(fees));
    await tasks.reportTask(as(by('李明华')), first(committee), {
      status: 'in_progress',
      percent: 50,
      text: '已召开本月支委会，纪要整理中',
    });
    await tasks.reportTask(as(by('王建国')), first(lecture), {
      status: 'in_progress',
      percent: 30,
      text: '党课讲稿已完成初稿',
    });
    await tasks.reportTask(as(by('陈志强')), first(ideology), {
      status: 'blocked',
      percent: 20,
      text: '部分科室未按时报送排查材料，需书记协调',
    });

    const chat = (await listOrgChats(trx, d.org.id))[0];
    if (chat) {
      const board = buildBoardCard(await tasks.boardView(trx, d.org.id, d.now, d.timezone));
      await admin.cards.send(tasks.boardSubject(d.org.id), { chatId: chat.chatId }, board);
    }
  });
}
