/**
 * Demo responsibility list for the sandbox: eight items of the year's 主体责任清单 split among the
 * branch's officers and members (一岗双责), in every state — in progress, blocked, overdue, not started,
 * 已完成（已验收） (the 党费 item: done with its evidence, accepted by the 书记) and returned (the 廉政风险
 * 防控清单: submitted with evidence, returned by the 书记 with a reason) — each card refreshed as the bot
 * does after a click, and the status board posted in the group.
 */
import { listOrgChats } from '../db/repositories/orgs.ts';
import type { Task } from '../db/schema.ts';
import { addDays } from '../domain/time.ts';
import type { Cadence } from '../features/duties/model.ts';
import * as tasks from '../features/duties/service.ts';
import { buildBoardCard } from '../features/duties/task-card.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

/** Why the 书记 returned the demo's 廉政风险防控清单. */
export const DEMO_RETURN_REASON = '部分重点岗位只列了风险点，未写防控措施和责任人，请补充后重新提交';

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
      evidence: '党费收缴明细及公示截图',
    });
    const risks = await add({
      content: '梳理重点岗位廉政风险点并更新防控清单',
      category: '制度建设',
      cadence: 'yearly',
      owners: ['刘洋', '孙磊'],
      evidence: '更新后的廉政风险防控清单',
    });
    await add({
      content: '落实“三重一大”集体决策制度，全程留痕',
      category: '反腐败',
      cadence: 'quarterly',
      owners: ['李明华'],
    });

    const first = <T>(xs: T[]) => xs[0] as T;
    /** What the owner's click does: the report, then every card of the task redrawn (actions.ts `answer`). */
    const report = async (owner: string, t: Task, r: Parameters<typeof tasks.reportTask>[2]) => {
      const ctx = as(by(owner));
      const after = await tasks.reportTask(ctx, t, r);
      await tasks.refreshTaskCards(ctx, after);
      return after;
    };
    const review = async (t: Task, d: Parameters<typeof tasks.reviewTask>[2]) => {
      const after = await tasks.reviewTask(admin, t, d);
      await tasks.refreshTaskCards(admin, after);
      return after;
    };

    // 已完成（已验收）: this month's 党费 done with its evidence, accepted by the 书记.
    const feeTask = first(fees);
    await review(
      await report('张晓燕', feeTask, {
        status: 'done',
        percent: 100,
        text: `${feeTask.period} 党费已收缴完毕，明细已在支部公示栏公示`,
        link: `https://example.feishu.cn/sheets/dangfei-${feeTask.period}`,
      }),
      { decision: 'accept' },
    );
    // Returned: 刘洋 submits the updated list; the 书记 sends it back with what is missing.
    const riskTask = risks.find((t) => t.owner_name === '刘洋') as Task;
    await review(
      await report('刘洋', riskTask, {
        status: 'done',
        percent: 100,
        text: '已梳理本科室 6 个重点岗位的廉政风险点，形成防控清单',
        link: 'https://example.feishu.cn/docx/lianzheng-fengxian-qingdan',
      }),
      { decision: 'return', reason: DEMO_RETURN_REASON },
    );
    await report('李明华', first(committee), {
      status: 'in_progress',
      percent: 20,
      text: '本月支委会议题已征集，待确定召开时间',
    });
    await report('王建国', first(lecture), {
      status: 'in_progress',
      percent: 30,
      text: '党课讲稿已完成初稿',
    });
    await report('陈志强', first(ideology), {
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
