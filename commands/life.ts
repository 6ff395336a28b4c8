/**
 * /life (/组织生活会, /民主生活会): the year's 组织生活会 pipeline (a 支部) or 民主生活会 (an upper level:
 * 党委, 党组), issue 16 item 3. Admins start it, proceed past 谈心谈话 with a reason, link the meeting,
 * list the problems into the 整改台账 once the meeting is held (not after the report) and send the
 * 情况报告 once the meeting is held — privately to the upper org's admins, since it names owners and
 * problems; every member hands in their 对照检查材料 (a link, a note, or a file sent to the bot
 * privately: src/features/life/attach.ts). The group card is shared and names nobody; who has not
 * handed in goes to the admin privately.
 */

import { actionsOf } from '../src/cards/contract.ts';
import { plain, textMessage } from '../src/cards/text.ts';
import { argSchema, noArgs } from '../src/core/args.ts';
import { type CommandContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import type { Outgoing } from '../src/core/message.ts';
import { isAdminRole } from '../src/core/roles.ts';
import { findMember } from '../src/db/repositories/members.ts';
import { listOrgChats } from '../src/db/repositories/orgs.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { lifeVoteActions, lifeVoteSubcommands } from '../src/features/life/ballot.ts';
import { lifeFile } from '../src/features/life/export.ts';
import { parseYearWord } from '../src/features/life/pipeline-rules.ts';
import * as life from '../src/features/life/service.ts';
import { answerWithFile } from '../src/services/file-answer.ts';

export const LIFE_USAGE = [
  '/组织生活会',
  '/组织生活会 启动 2026 2027-01-15',
  '/组织生活会 查看',
  '/组织生活会 材料 <链接或说明>',
  '/组织生活会 继续 谈心谈话 <理由>',
  '/组织生活会 关联 <会议编号>',
  '/组织生活会 问题 @责任人 <问题> <时限，如 2027-03-31>',
  '/组织生活会 报告',
  '/组织生活会 导出 [年份]',
];

/** A full date as typed (2027-01-15, 2027年1月15日 …; a year is required), or the usage. */
function dateArg(w: string, what: string, today: string, usage: string): string {
  const d = /^\d{4}\D\d{1,2}\D\d{1,2}日?$|^\d{8}$/.test(w.normalize('NFKC')) ? parseDateText(w, today) : undefined;
  if (!d) throw new UserError('bad_args', `“${w}”不是${what}，应为日期，例如 2027-01-15。`, `用法：${usage}`);
  return d;
}

const card = async (ctx: CommandContext<'required'>, forAdmin = false): Promise<Outgoing> => {
  const p = await life.syncStages(ctx, ctx.org, await life.currentPipeline(ctx, ctx.org));
  return { type: 'card', card: await life.pipelineCard(ctx, ctx.org, p, forAdmin) };
};

/** The shared card in the group; an admin also gets, privately, who has not handed in. */
async function show(ctx: CommandContext<'required'>): Promise<Outgoing | undefined> {
  const admin = isAdminRole(ctx.actor.role);
  if (ctx.chat.type === 'p2p') return card(ctx, admin);
  if (admin) await ctx.outbox.send({ openId: ctx.actor.openId }, await card(ctx, true), { orgId: ctx.org.id });
  return card(ctx);
}

export default defineCommand({
  name: 'life',
  aliases: ['组织生活会', '民主生活会'],
  summary: '组织生活会 / 民主生活会：启动年度流程，跟踪各环节，提交材料，报送情况报告',
  usage: LIFE_USAGE,
  args: noArgs,
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: (ctx) => show(ctx),
  subcommands: [
    defineSubcommand({
      name: 'start',
      aliases: ['启动', '开始'],
      summary: '启动年度流程：年份和计划召开日期，各环节时限按工作日倒排',
      usage: ['/组织生活会 启动 2026 2027-01-15'],
      args: argSchema((r) => {
        const y = r.word('年份');
        const year = parseYearWord(y) ?? r.fail(`“${y}”不是年份，例如 2026。`);
        return { year, date: r.word('计划召开日期') };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const meetingOn = dateArg(a.date, '计划召开日期', ctx.today, LIFE_USAGE[1] as string);
        const word = life.wordOf(ctx.org);
        const { pipeline, created } = await life.startPipeline(ctx, ctx.org, a.year, meetingOn);
        if (!created) return textMessage`本组织 ${a.year} 年度${word}流程已启动，查看进度：/${word} 查看。`;
        const out = await card(ctx);
        const main = (await listOrgChats(ctx.db, ctx.org.id))[0];
        if (ctx.chat.type === 'p2p' && main) {
          await ctx.outbox.send({ chatId: main.chatId }, out, { orgId: ctx.org.id });
          return textMessage`已启动 ${pipeline.year} 年度${word}流程，进度卡片已发到本组织群。`;
        }
        return out;
      },
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看', '进度'],
      summary: '查看流程进度（管理员另私信收到未交材料名单）',
      usage: ['/组织生活会 查看'],
      args: noArgs,
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: (ctx) => show(ctx),
    }),
    defineSubcommand({
      name: 'material',
      aliases: ['材料', '对照检查材料'],
      summary: '提交本人的对照检查材料（链接或文字说明；也可在单聊中直接发送文件；再次提交即替换）',
      usage: ['/组织生活会 材料 https://example.feishu.cn/docx/abc'],
      args: argSchema((r) => r.rest('材料链接或说明', { required: true, max: 500 })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, value) {
        const p = await life.handInMaterial(ctx, ctx.org, value);
        const m = await life.materialsState(ctx, p);
        return textMessage`已收到您的对照检查材料（本组织已交 ${m.handed}/${m.required}）。`;
      },
    }),
    defineSubcommand({
      name: 'proceed',
      aliases: ['继续'],
      summary: '谈心谈话尚未全覆盖时，写明理由后继续（记录在案）',
      usage: ['/组织生活会 继续 谈心谈话 两名党员外出，会后补谈'],
      args: argSchema((r) => {
        const s = r.word('环节');
        if (s !== '谈心谈话') r.fail(`只有“谈心谈话”环节可以先行继续，而不是“${s}”。`);
        return r.rest('理由', { required: true, max: 200 });
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, reason) {
        const { already } = await life.proceedTalks(ctx, ctx.org, reason);
        return already
          ? textMessage`谈心谈话环节已完成，无需继续。`
          : textMessage`已记录理由，谈心谈话环节视为完成：${plain(reason, 200)}`;
      },
    }),
    defineSubcommand({
      name: 'link',
      aliases: ['关联'],
      summary: '关联已召开的会议记录（会后签到后也会自动关联）',
      usage: ['/组织生活会 关联 12'],
      args: argSchema((r) => {
        const w = r.word('会议编号');
        return /^\d{1,9}$/.test(w) ? Number(w) : r.fail(`“${w}”不是会议编号，应为数字，例如 12。`);
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        await life.linkMeeting(ctx, ctx.org, id);
        return textMessage`已关联会议 #${id}。`;
      },
    }),
    defineSubcommand({
      name: 'problem',
      aliases: ['问题'],
      summary: '会议召开后列入问题清单：指定责任人和时限，自动进入整改台账（来源：组织生活会）；报送情况报告后不再增加',
      usage: ['/组织生活会 问题 @张三 学习记录不完整 2027-03-31'],
      args: argSchema((r) => {
        const owner = r.mention('责任人');
        const text = r.rest('问题和时限', { required: true, max: 600 }).trim();
        const cut = text.lastIndexOf(' ');
        if (cut <= 0) r.fail('请写明问题和整改时限，例如：学习记录不完整 2027-03-31。');
        return { owner, problem: text.slice(0, cut).trim(), deadline: text.slice(cut + 1) };
      }),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const usage = `用法：${LIFE_USAGE[6]}`;
        const deadline = dateArg(a.deadline, '整改时限', ctx.today, LIFE_USAGE[6] as string);
        if (deadline < ctx.today)
          throw new UserError('bad_args', `整改时限 ${deadline} 已过，请写今天以后的日期。`, usage);
        const owner = await findMember(ctx.db, ctx.org.id, a.owner.openId);
        if (!owner) throw new UserError('bad_args', '责任人不在本组织名册中，请 @ 本组织的党员。', usage);
        const { item } = await life.addProblem(ctx, ctx.org, { owner, problem: a.problem, deadline });
        return textMessage`已列入问题清单并进入整改台账：#${item.id}（责任人：${plain(owner.name, 30)}，时限 ${deadline}）。`;
      },
    }),
    defineSubcommand({
      name: 'report',
      aliases: ['报告', '情况报告'],
      summary: '会议召开后，向上级党组织管理员私信报送情况报告（无上级时私信本组织管理员）',
      usage: ['/组织生活会 报告'],
      args: noArgs,
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx) {
        const r = await life.sendReport(ctx, ctx.org);
        if (r.upper) return textMessage`情况报告已私信报送上级党组织（${plain(r.to, 40)}）的书记、副书记和纪检委员。`;
        return r.parent
          ? textMessage`上级党组织（${plain(r.parent, 40)}）尚未登记管理员，情况报告已私信发送给本组织（${plain(r.to, 40)}）管理员。`
          : textMessage`本组织没有上级党组织，情况报告已私信发送给本组织（${plain(r.to, 40)}）管理员。`;
      },
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出年度流程材料 .xlsx（环节、征求意见、会议出勤、谈心谈话、材料、问题清单、民主评议，私信发送）',
      usage: ['/组织生活会 导出 2026'],
      args: argSchema((r) => r.optionalWord()),
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, w) {
        const year = w === undefined ? Number(ctx.today.slice(0, 4)) : parseYearWord(w);
        if (year === undefined)
          throw new UserError('bad_args', `“${w}”不是年份，例如 2026。`, `用法：${LIFE_USAGE[8]}`);
        const file = await lifeFile(ctx, ctx.org, year);
        await ctx.audit({ action: 'life:export', subject: `org:${ctx.org.id}`, after: { year } });
        const name = plain(file.fileName, 120);
        return answerWithFile(ctx, {
          answer: textMessage`已导出 ${year} 年度材料，文件《${name}》已私信发送给您。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
          to: { openId: ctx.actor.openId },
        });
      },
    }),
    ...lifeVoteSubcommands, // 征求意见, 意见, 评议 (src/features/life/ballot.ts)
  ],
  actions: actionsOf(...lifeVoteActions),
});
