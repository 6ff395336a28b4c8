/**
 * /党员 (/党员名册, /名册): the members register, for the org's admins — shown and edited one entry at a
 * time (it holds dates, posts and reasons of absence, so in a group the register, an entry and the
 * answer to an edit go privately to the admin, the group hearing only that): `/党员 @张三 预备党员`,
 * `支委 组织委员`, `党小组 第一党小组 组长`, `入党 2020-07-01`, `职务 …`, `不计应到 理由` / `计入应到`.
 * A roster spreadsheet imports through /导入 (src/features/membership/roster-import.ts).
 */
import { actionsOf } from '../src/cards/contract.ts';
import { plain, textMessage } from '../src/cards/text.ts';
import { argSchema } from '../src/core/args.ts';
import { type CommandContext, defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import type { Outgoing } from '../src/core/message.ts';
import { findMember } from '../src/db/repositories/members.ts';
import { registerPage } from '../src/features/membership/register-card.ts';
import {
  describeEntry,
  entryOf,
  parseRegisterEdit,
  REGISTER_USAGE,
} from '../src/features/membership/register-rules.ts';
import { changeRegister, registerCard } from '../src/features/membership/register-service.ts';

/**
 * In a private chat the answer itself; in a group it goes to the admin privately (as the register
 * does) and the group is told only that, in `note`'s words.
 */
async function privately(ctx: CommandContext<'required'>, answer: Outgoing, note: Outgoing): Promise<Outgoing> {
  if (ctx.chat.type === 'p2p') return answer;
  await ctx.outbox.send({ openId: ctx.actor.openId }, answer, { orgId: ctx.org.id });
  return note;
}

type Args =
  | { kind: 'show'; page: number }
  | { kind: 'entry'; member: { openId: string; name: string } }
  | { kind: 'edit'; member: { openId: string; name: string }; field: string; rest: string };

export default defineCommand({
  name: 'register',
  aliases: ['党员', '党员名册', '名册'],
  summary: '党员名册：正式党员、预备党员、支委、党小组、入党和转正日期（管理员查看和修改）',
  usage: REGISTER_USAGE,
  args: argSchema((r): Args => {
    const first = r.peek();
    if (!first) return { kind: 'show', page: 1 };
    if (first.kind === 'word') {
      const w = r.word('页码');
      if (!/^\d{1,4}$/.test(w)) r.fail(`请先 @ 要修改的党员，如：/党员 @张三 预备党员。`);
      return { kind: 'show', page: Number(w) };
    }
    const member = r.mention('党员');
    if (!r.peek()) return { kind: 'entry', member };
    const field = r.word('名册项');
    return { kind: 'edit', member, field, rest: r.rest('内容') };
  }),
  access: { roles: 'admin', chat: 'any', org: 'required' },
  async handle(ctx, args) {
    const org = ctx.org;
    if (args.kind === 'show') {
      const card = await registerCard(ctx, org, args.page);
      return privately(ctx, { type: 'card', card }, textMessage`党员名册已私信发送，请在与清风的单聊中查看。`);
    }
    if (args.kind === 'entry') {
      const m = await findMember(ctx.db, org.id, args.member.openId);
      if (!m)
        throw new UserError(
          'not_found',
          `${plain(args.member.name || '此人', 50)} 不是「${plain(org.name, 100)}」的成员。`,
        );
      return privately(
        ctx,
        textMessage`${plain(m.name, 50)}：${describeEntry(entryOf(m))}。`,
        textMessage`${plain(m.name, 50)}的名册信息已私信发送，请在与清风的单聊中查看。`,
      );
    }
    const edit = parseRegisterEdit(args.field, args.rest, ctx.today);
    if ('error' in edit)
      throw new UserError('bad_args', edit.error, REGISTER_USAGE.map((u) => `用法：${u}`).join('\n'));
    const change = await changeRegister(ctx, org, args.member, edit.patch);
    const who = plain(change.member.name, 50);
    if (!change.changed)
      return privately(
        ctx,
        textMessage`${who} 的名册已是：${describeEntry(change.after)}，无需更改。`,
        textMessage`${who} 的名册无需更改，详情已私信发送。`,
      );
    return privately(
      ctx,
      textMessage`已更新 ${who} 的${edit.field}。名册现为：${describeEntry(change.after)}。`,
      textMessage`已更新 ${who} 的名册，详情已私信发送，请在与清风的单聊中查看。`,
    );
  },
  actions: actionsOf(
    registerPage.define({
      roles: 'admin',
      org: 'required',
      async handle(ctx, v) {
        return { card: await registerCard(ctx, ctx.org, v.p) };
      },
    }),
  ),
});
