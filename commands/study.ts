/**
 * /study (/学习): 中心组学习, 廉政教育, 警示教育, 专题学习. Verbs: 新建 (form), 列表, 通报 (the half-year
 * 中心组 attendance and 心得 report), 导出 (学习考勤), 导入 (the annual study plan), 补学 (a missed session's
 * material and a 补学 心得, privately). The sign-in and 心得 buttons are shared with meetings; the 补学
 * buttons are this command's.
 */

import { actionsOf } from '../src/cards/contract.ts';
import { plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { halfYearOf } from '../src/domain/periods.ts';
import { studyMakeup, studyMakeupOpen } from '../src/features/meetings/contracts.ts';
import { missedSessions, openMakeup, submitMakeup } from '../src/features/meetings/makeup.ts';
import { buildMakeupCard, buildMakeupListCard } from '../src/features/meetings/makeup-card.ts';
import { buildStudyReportCard } from '../src/features/meetings/session-card.ts';
import { studyReport } from '../src/features/meetings/study-report.ts';
import { newSessionCard, sendSessionLedger, sessionList, yearArg } from '../src/features/meetings/views.ts';

export default defineCommand({
  name: 'study',
  aliases: ['学习', '中心组学习'],
  summary: '查看本年度学习',
  usage: ['/学习', '/学习 新建 中心组学习'],
  args: yearArg,
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: async (ctx, year) => ({ type: 'card', card: await sessionList(ctx, 'study', year) }),
  subcommands: [
    defineSubcommand({
      name: 'new',
      aliases: ['新建', '安排'],
      summary: '安排学习（表单：主题、材料、时间、人员、心得期限）',
      usage: ['/学习 新建 警示教育'],
      args: argSchema((r) => r.optionalWord()),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      handle: async (ctx, kind) => ({ type: 'card', card: await newSessionCard(ctx, 'study', kind) }),
    }),
    defineSubcommand({
      name: 'list',
      aliases: ['列表'],
      summary: '本年度（或指定年份）的学习',
      usage: ['/学习 列表 2026'],
      args: yearArg,
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: async (ctx, year) => ({ type: 'card', card: await sessionList(ctx, 'study', year) }),
    }),
    defineSubcommand({
      name: 'report',
      aliases: ['通报'],
      summary: '中心组学习半年通报（签到、请假、缺席、心得）',
      usage: ['/学习 通报', '/学习 通报 2026H2'],
      args: argSchema((r) => {
        const h = r.optionalWord();
        if (h !== undefined && !/^20\d\dH[12]$/.test(h)) r.fail(`“${h}”不是半年度，例如 2026H2。`);
        return h;
      }),
      access: { roles: ['secretary', 'deputy', 'inspector', 'organizer', 'observer'], chat: 'any', org: 'required' },
      async handle(ctx, half) {
        const org = ctx.org;
        const report = await studyReport(
          ctx.db,
          org,
          half ?? halfYearOf(ctx.today).key,
          ctx.now,
          ctx.settings.timezone,
          ctx.calendar,
        );
        return { type: 'card', card: buildStudyReportCard(report) };
      },
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出学习考勤 .xlsx',
      usage: ['/学习 导出 2026'],
      args: yearArg,
      access: { roles: ['secretary', 'deputy', 'inspector', 'organizer', 'observer'], chat: 'any', org: 'required' },
      async handle(ctx, year) {
        return sendSessionLedger(
          ctx,
          'study',
          year,
          (file) => textMessage`已导出 ${file.count} 次学习的考勤，文件《${plain(file.fileName, 120)}》随后发送。`,
        );
      },
    }),
    defineSubcommand({
      name: 'makeup',
      aliases: ['补学'],
      summary: '补学：缺席或请假的学习，签到结束后领取材料、提交补学心得',
      usage: ['/学习 补学', '/学习 补学 12'],
      args: argSchema((r) => {
        const w = r.optionalWord()?.replace(/^#/, '');
        if (w !== undefined && !/^\d{1,9}$/.test(w)) r.fail(`“${w}”不是学习编号，应为数字。`);
        return w === undefined ? undefined : Number(w);
      }),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        // Without a number: the sessions the member may 补学; with one: its material and the 补学 form.
        const card =
          id === undefined
            ? buildMakeupListCard({ orgId: ctx.org.id, rows: await missedSessions(ctx, ctx.org) })
            : buildMakeupCard(await openMakeup(ctx, id));
        if (ctx.chat.type === 'p2p') return { type: 'card', card };
        // A 补学 card is the member's own: never in the group.
        await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
        return id === undefined
          ? textMessage`已私信发送您需要补学的学习，请在与清风的单聊中查看。`
          : textMessage`已私信发送补学材料和心得表单，请在与清风的单聊中填写。`;
      },
    }),
    defineSubcommand({
      name: 'import',
      aliases: ['导入'],
      summary: '导入年度学习计划（把 .xlsx 发给清风）',
      usage: ['/学习 导入'],
      args: argSchema(() => undefined),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle() {
        return {
          type: 'text',
          text: '请在与清风的单聊中直接发送年度学习计划（.xlsx 或 .csv）。需要的列：学习时间、学习主题；可选：学习形式（中心组学习、廉政教育、警示教育、专题学习）、学习内容、地点。清风会先给出预览，确认后为每一行安排学习并在群里发布通知。',
        };
      },
    }),
  ],
  actions: actionsOf(
    // 补学 on the private list: the session's 补学 card, sent as a new private message (the list stays).
    studyMakeupOpen.define({
      roles: 'member',
      org: 'required',
      async handle(ctx, v) {
        const card = buildMakeupCard(await openMakeup(ctx, v.id));
        await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
        return { toast: { type: 'info', content: '补学材料和心得表单已私信发送，请在单聊中填写。' } };
      },
    }),
    studyMakeup.define({
      roles: 'member',
      org: 'required',
      async handle(ctx, v, form) {
        const { view } = await submitMakeup(ctx, v.id, form.text, form.link);
        // The clicker's own card (in a private chat it is replaced; from anywhere else it goes privately).
        return { toast: { type: 'success', content: '补学已记录' }, personal: buildMakeupCard(view, 'done') };
      },
    }),
  ),
});
