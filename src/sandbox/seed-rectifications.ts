/**
 * Demo rectifications for the sandbox: an inspection batch with its milestones and eight items in
 * every state a visitor should see — two overdue, one due in two working days, one waiting for
 * 销号 review, a long-term item at 阶段性完成, one closed (late), and a self-check item.
 */
import { addDays } from '../domain/time.ts';
import { createBatch } from '../features/rectification/batch-repository.ts';
import { milestoneDates } from '../features/rectification/model.ts';
import * as rect from '../features/rectification/service.ts';
import { type SeedDeps, seedInTransaction } from './seed-scope.ts';

export async function seedRectifications(d: SeedDeps): Promise<void> {
  await seedInTransaction(d, async ({ trx, today, by, withRole, as }) => {
    const secretary = withRole('secretary');
    const inspector = withRole('inspector');
    const admin = as(secretary);
    const batch = await createBatch(
      trx,
      {
        org_id: d.org.id,
        name: '2026年第一轮巡察',
        source: '巡察',
        feedback_date: addDays(today, -45),
        created_by: secretary.open_id,
        created_at: d.now.toISOString(),
      },
      milestoneDates(addDays(today, -45)),
    );
    const item = (o: {
      problem: string;
      measures: string;
      owner: string;
      deadline: string;
      kind?: 'long_term';
      source?: string;
      area: string;
      batch?: boolean;
    }) =>
      rect.createItem(admin, {
        org_id: d.org.id,
        batch_id: o.batch === false ? null : batch.id,
        source: o.source ?? '巡察',
        problem: o.problem,
        measures: o.measures,
        leader: secretary.name,
        owner_open_id: by(o.owner).open_id,
        owner_name: o.owner,
        deadline: o.deadline,
        kind: o.kind ?? 'centralized',
        area: o.area,
        status: 'pending',
        import_key: null,
      });

    const minutes = await item({
      problem: '党支部“三会一课”记录不规范，部分支委会会议无会议纪要',
      measures: '统一会议记录模板，组织委员每月检查，补齐 2026 年以来的会议纪要',
      owner: '刘洋',
      deadline: addDays(today, -6),
      area: '组织建设',
    });
    await rect.reportProgress(as(by('刘洋')), minutes, {
      percent: 40,
      text: '已制定会议记录模板，正在补齐 1—6 月纪要',
    });
    await item({
      problem: '党费收缴不及时，个别党员连续 3 个月未按时交纳党费',
      measures: '建立党费收缴台账，每月 10 日前提醒，逾期由支部书记谈话',
      owner: '赵敏',
      deadline: addDays(today, -2),
      area: '组织建设',
    });
    const recruit = await item({
      problem: '发展党员程序不严谨，2 名发展对象政审材料不完整',
      measures: '逐人核查发展党员档案，补齐政审材料，完善发展党员工作流程图',
      owner: '孙磊',
      deadline: addDays(today, 14),
      area: '组织建设',
    });
    await rect.reportProgress(as(by('孙磊')), recruit, { percent: 100, text: '已补齐 2 名发展对象政审材料并归档' });
    await rect.submitForClosing(as(by('孙磊')), await rect.requireItem(as(by('孙磊')), recruit.id), {
      link: 'https://example.feishu.cn/docx/dangyuan-fazhan-dangan',
      note: '政审材料已补齐，档案已整理归档',
    });
    const reception = await item({
      problem: '公务接待超标准，未严格执行公务接待清单制度',
      measures: '修订公务接待管理办法，落实“一函一单一清单”，财务严格审核',
      owner: '周婷',
      deadline: d.calendar.addWorkdays(today, 2),
      area: '作风建设',
    });
    await rect.reportProgress(as(by('周婷')), reception, { percent: 70, text: '公务接待管理办法已修订，待支委会审议' });
    const risks = await item({
      problem: '廉政风险点排查不全面，重点岗位防控措施针对性不强',
      measures: '全面排查岗位廉政风险点，建立风险防控清单并动态更新',
      owner: '吴刚',
      deadline: addDays(today, 60),
      kind: 'long_term',
      area: '纪律建设',
    });
    await rect.reportProgress(as(by('吴刚')), risks, {
      percent: 50,
      text: '已完成 12 个重点岗位风险排查',
      link: 'https://example.feishu.cn/sheets/fengxiandian',
    });
    await rect.submitForClosing(as(by('吴刚')), await rect.requireItem(as(by('吴刚')), risks.id), {
      note: '第一阶段排查完成',
    });
    await rect.reviewItem(as(inspector), await rect.requireItem(as(inspector), risks.id), 'ongoing');
    const ideology = await item({
      problem: '意识形态工作责任制落实不到位，未按要求定期分析研判',
      measures: '每季度召开意识形态工作专题会议，形成分析研判报告',
      owner: '郑丽',
      deadline: addDays(today, -20),
      area: '思想建设',
    });
    await rect.submitForClosing(as(by('郑丽')), ideology, {
      link: 'https://example.feishu.cn/docx/yishixingtai-yanpan',
      note: '已召开专题会议并形成报告',
    });
    await rect.reviewItem(as(inspector), await rect.requireItem(as(inspector), ideology.id), 'close');
    await item({
      problem: '财务报销审批流程不规范，个别报销事项审批手续不全',
      measures: '梳理报销审批流程，明确各环节审批权限，开展专项自查',
      owner: '陈志强',
      deadline: addDays(today, 30),
      source: '自查',
      area: '制度建设',
      batch: false,
    });
  });
}
