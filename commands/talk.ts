/**
 * /talk (/谈话, /谈心谈话): the talk register. Verbs: 记录 (the form, always privately), 列表, 查看, 撤销,
 * 导出. A talk's notes are for its recorder, the 书记 and the 纪检委员 only; who talked with whom is not
 * for the group, so every answer about a talk goes privately and the group hears only that. The
 * buttons: 保存 on the form, a party's 确认 on their card.
 */
import { actionsOf } from '../src/cards/contract.ts';
import { plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import type { ActionAnswer, Card } from '../src/core/card.ts';
import { type ActionContext, type CommandContext, defineCommand, defineSubcommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import type { Outgoing } from '../src/core/message.ts';
import { parseDateText } from '../src/domain/dates.ts';
import { findPipeline, stagesOf } from '../src/features/life/repository.ts';
import { kindOf, wordOf } from '../src/features/life/service.ts';
import { talkConfirm, talkRecord } from '../src/features/talks/contracts.ts';
import { talkCoverageReply } from '../src/features/talks/coverage.ts';
import { parseKind, parseTalkId, parseYear, TALK_USAGE } from '../src/features/talks/model.ts';
import * as talks from '../src/features/talks/service.ts';
import { talkFile, talkListCard } from '../src/features/talks/views.ts';
import { answerWithFile } from '../src/services/file-answer.ts';

const idArg = (r: { word(w: string): string; fail(m: string): never }) => {
  const w = r.word('谈话记录编号');
  return parseTalkId(w) ?? r.fail(`“${w}”不是谈话记录编号，应为数字，例如 3。`);
};
const yearArg = argSchema((r) => r.optionalWord());
const yearOf = (ctx: CommandContext, word: string | undefined) => {
  if (word === undefined) return Number(ctx.today.slice(0, 4));
  const y = parseYear(word, ctx.today);
  if (y === undefined) throw new UserError('bad_args', `“${word}”不是年份，例如 2026。`, `用法：${TALK_USAGE[2]}`);
  return y;
};

/** The answer in a private chat; in a group it goes to the asker privately and the group hears `note`. */
async function privately(
  ctx: CommandContext<'required'>,
  answer: Outgoing,
  note: Outgoing,
): Promise<Outgoing | undefined> {
  if (ctx.chat.type === 'p2p') return answer;
  await ctx.outbox.send({ openId: ctx.actor.openId }, answer, { orgId: ctx.org.id });
  return note;
}

/**
 * The form goes to the recorder's private chat (sent, not replied, so that the talk card it becomes
 * knows whom it shows: its notes follow the viewer).
 */
async function sendForm(ctx: CommandContext<'required'>, kind: string | undefined) {
  const card = await talks.talkFormCard(ctx, ctx.org, kind);
  await ctx.outbox.send({ openId: ctx.actor.openId }, { type: 'card', card }, { orgId: ctx.org.id });
  return ctx.chat.type === 'p2p' ? undefined : textMessage`谈话记录表单已私信发送，请在与清风的单聊中填写。`;
}

/** The year's 组织生活会 (民主生活会) when its pipeline is started: the talks up to it count for the year. */
async function plannedMeeting(ctx: CommandContext<'required'>, year: number) {
  const p = await findPipeline(ctx.db, ctx.org.id, year, kindOf(ctx.org));
  return p ? { on: stagesOf(p).meeting.due, word: wordOf(ctx.org) } : undefined;
}

/** A talk's card answers the click privately: a card clicked in a group is never turned into it. */
const answerWith = (ctx: ActionContext, card: Card, toast: ActionAnswer['toast']): ActionAnswer =>
  ctx.chat?.type === 'group' ? { toast, personal: card } : { toast, card };

export default defineCommand({
  name: 'talk',
  aliases: ['谈话', '谈心谈话', '谈话记录'],
  summary: '谈话记录：记录谈心谈话、廉政谈话，请谈话对象确认',
  usage: TALK_USAGE,
  args: argSchema((r) => {
    const w = r.optionalWord();
    if (w !== undefined && !parseKind(w)) r.fail(`不认识的子命令“${w}”。可用：记录、列表、查看、撤销、导出、覆盖。`);
    return w;
  }),
  access: { roles: 'member', chat: 'any', org: 'required' },
  handle: (ctx, kind) => sendForm(ctx, kind),
  subcommands: [
    defineSubcommand({
      name: 'record',
      aliases: ['记录', '登记', '新建'],
      summary: '记录一次谈话（表单私信发送，可先写类型）',
      usage: ['/谈话 记录', '/谈话 记录 廉政谈话'],
      args: argSchema((r) => r.optionalWord()),
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: (ctx, kind) => sendForm(ctx, kind),
    }),
    defineSubcommand({
      name: 'list',
      aliases: ['列表', '台账'],
      summary: '本年度（或指定年份）的谈话记录：管理员看全部，党员看自己参加的',
      usage: ['/谈话 列表 2026'],
      args: yearArg,
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, word) {
        const card = await talkListCard(ctx, ctx.org, yearOf(ctx, word));
        return privately(ctx, { type: 'card', card }, textMessage`谈话记录已私信发送，请在与清风的单聊中查看。`);
      },
    }),
    defineSubcommand({
      name: 'show',
      aliases: ['查看', '详情'],
      summary: '查看一次谈话（私信发送；谈话要点仅记录人、书记和纪检委员可见）',
      usage: ['/谈话 查看 3'],
      args: argSchema((r) => idArg(r)),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, id) {
        const t = await talks.viewableTalk(ctx, id);
        const card = await talks.talkCardFor(ctx, t, ctx.actor.openId);
        await ctx.cards.send(talks.talkSubject(t.talk), { openId: ctx.actor.openId }, card);
        return ctx.chat.type === 'p2p' ? undefined : textMessage`谈话记录 #${id} 已私信发送，请在与清风的单聊中查看。`;
      },
    }),
    defineSubcommand({
      name: 'withdraw',
      aliases: ['撤销', '撤回'],
      summary: '撤销一条谈话记录（记录人或书记，须写理由；记录保留，不再计入）',
      usage: ['/谈话 撤销 3 记录有误'],
      args: argSchema((r) => ({ id: idArg(r), reason: r.rest('撤销理由', { required: true, max: 200 }) })),
      access: { roles: 'member', chat: 'any', org: 'required' },
      async handle(ctx, a) {
        const t = await talks.withdrawTalk(ctx, a.id, a.reason);
        await talks.refreshTalkCards(ctx, t);
        return textMessage`谈话记录 #${a.id} 已撤销，不再计入谈话情况。`;
      },
    }),
    defineSubcommand({
      name: 'export',
      aliases: ['导出'],
      summary: '导出谈心谈话记录 .xlsx（不含谈话要点，私信发送）',
      usage: ['/谈话 导出 2026'],
      args: yearArg,
      access: { roles: 'admin', chat: 'any', org: 'required' },
      async handle(ctx, word) {
        const year = yearOf(ctx, word);
        const file = await talkFile(ctx, ctx.org, year);
        await ctx.audit({ action: 'talk:export', subject: `org:${ctx.org.id}`, after: { year, count: file.count } });
        const name = plain(file.fileName, 120);
        return answerWithFile(ctx, {
          answer:
            ctx.chat.type === 'p2p'
              ? textMessage`已导出 ${year} 年 ${file.count} 条谈话记录，文件《${name}》随后发送。`
              : textMessage`已导出 ${year} 年 ${file.count} 条谈话记录，文件《${name}》已私信发送给您。`,
          file: { fileName: file.fileName, fileType: 'xls', bytes: file.bytes },
          to: { openId: ctx.actor.openId },
        });
      },
    }),
    defineSubcommand({
      name: 'coverage',
      aliases: ['覆盖', '覆盖情况'],
      summary: '本年度谈心谈话覆盖情况：管理员看各支委尚未谈话的对象，党员看自己的（私信发送）',
      usage: ['/谈话 覆盖', '/谈话 覆盖 2026'],
      args: argSchema((r) => r.optionalWord()),
      access: { roles: 'member', chat: 'any', org: 'required' },
      handle: (ctx, word) =>
        talkCoverageReply(ctx, word === undefined ? [] : [word], (year) => plannedMeeting(ctx, year)),
    }),
  ],
  actions: actionsOf(
    talkRecord.define({
      roles: 'member',
      org: 'required',
      async handle(ctx, _v, form) {
        if (ctx.chat?.type === 'group') throw new UserError('wrong_chat', '请在与清风的单聊中记录谈话。');
        const { talk, again } = await talks.recordTalk(ctx, {
          parties: form.parties,
          kind: form.kind,
          heldOn: parseDateText(form.date, ctx.today),
          place: form.place,
          notes: form.notes,
        });
        const id = talk.talk.id;
        // The form now shows the talk: remembered, it is redrawn as the parties confirm.
        if (!again) await ctx.cards.adopt(talks.talkSubject(talk.talk), ctx.card.messageId);
        const card = await talks.talkCardFor(ctx, talk, ctx.actor.openId);
        return answerWith(
          ctx,
          card,
          again
            ? { type: 'info', content: `该表单已保存为谈话记录 #${id}。` }
            : { type: 'success', content: `已记录谈话 #${id}，已请谈话对象确认。` },
        );
      },
    }),
    talkConfirm.define({
      roles: 'member',
      org: 'required',
      async handle(ctx, v) {
        const { talk, done } = await talks.confirmTalk(ctx, v.id);
        if (done) await talks.refreshTalkCards(ctx, talk, ctx.card.messageId);
        const card = await talks.talkCardFor(ctx, talk, ctx.actor.openId);
        return answerWith(
          ctx,
          card,
          done ? { type: 'success', content: '已确认，谢谢。' } : { type: 'info', content: '您已确认过这次谈话。' },
        );
      },
    }),
  ),
});
