/**
 * /help (/帮助): one screen for this person in this chat — the few things they do most as buttons,
 * one collapsed panel per area, and 全部命令 for the full list (sent privately from a group).
 */
import { helpRun, NO_ROLE, type QuickKey } from '../src/cards/actions/help.ts';
import { actionsOf } from '../src/cards/contract.ts';
import { buildFullHelpCard, buildHelpCard, type HelpView } from '../src/cards/help-card.ts';
import { meElements } from '../src/cards/me-card.ts';
import { noArgs } from '../src/core/args.ts';
import type { ActionAnswer } from '../src/core/card.ts';
import type { ActionContext, ArgToken, ChatRef, CommandContext } from '../src/core/contracts.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { UserError } from '../src/core/errors.ts';
import type { Role } from '../src/core/roles.ts';
import { loadMeView } from '../src/features/me/view.ts';
import { accessDenial } from '../src/router/access.ts';
import { allHelpAreas, helpAreas, quickActionsFor, quickRunnable } from '../src/services/help.ts';

type Who = Pick<CommandContext, 'chat' | 'org' | 'actor' | 'commands'>;

/** The help card for `who` (whose role may be the one a group card was drawn for). */
function helpView(who: Who, drawnFor: HelpView['drawnFor']): HelpView {
  return {
    orgName: who.org?.name,
    orgId: who.org?.id,
    chatType: who.chat.type,
    quick: who.org ? quickActionsFor(who.actor.role, who.chat.type) : [],
    areas: helpAreas(who),
    drawnFor,
  };
}

export default defineCommand({
  name: 'help',
  aliases: ['帮助', 'h', '?', '命令'],
  summary: '查看您在这里可以使用的命令',
  usage: ['/帮助'],
  args: noArgs,
  access: { roles: 'anyone', chat: 'any', org: 'optional' },
  async handle(ctx) {
    // A card in a group remembers whose commands it lists, so that 刷新 by anyone keeps it the same.
    const drawnFor = ctx.chat.type === 'group' ? (ctx.actor.role ?? NO_ROLE) : undefined;
    return { type: 'card', card: buildHelpCard(helpView(ctx, drawnFor)) };
  },
  actions: actionsOf(
    // In a group the help card is shared: 刷新 redraws the same card whoever clicks; 我的, 全部命令
    // and the quick buttons answer the clicker privately. In a private chat 我的, 全部命令 and 刷新
    // replace the card with the clicker's own; a quick button's answer comes as a new message.
    helpRun.define({
      roles: 'anyone',
      async handle(ctx, value) {
        const refreshed = { type: 'success' as const, content: '已刷新' };
        if (value.cmd === 'help' && ctx.chat?.type === 'group') {
          // A card from before cards remembered their role is left as it is.
          if (!value.r) return { toast: refreshed };
          const role: Role | undefined = value.r === NO_ROLE ? undefined : value.r;
          return {
            toast: refreshed,
            card: buildHelpCard(helpView({ ...ctx, chat: ctx.chat, actor: { ...ctx.actor, role } }, value.r)),
          };
        }
        const p2p: ChatRef = ctx.chat?.type === 'p2p' ? ctx.chat : { chatId: '', type: 'p2p' };
        if (value.cmd === 'all') {
          return {
            toast: { type: 'success', content: '已显示全部命令' },
            personal: buildFullHelpCard({ orgName: ctx.org?.name, orgId: ctx.org?.id, areas: allHelpAreas(ctx) }),
          };
        }
        if (value.cmd === 'run') return runQuick(ctx, value.k);
        const own = helpView({ ...ctx, chat: p2p }, undefined);
        if (value.cmd === 'help') return { toast: refreshed, personal: buildHelpCard(own) };
        const me = await loadMeView(ctx.db, ctx.actor.openId, ctx.today);
        return {
          toast: { type: 'success', content: '已显示您的信息' },
          personal: buildHelpCard({
            ...own,
            panel: { title: `我的 · ${me.name ?? ctx.actor.name ?? ''}`, elements: meElements(me) },
          }),
        };
      },
    }),
  ),
});

/**
 * A quick button: runs its command for whoever clicked (with their own role, as if they had typed
 * it) and sends the answer to their private chat with the bot; the help card stays as it was.
 */
async function runQuick(ctx: ActionContext, key: QuickKey | undefined): Promise<ActionAnswer> {
  const found = key ? quickRunnable(ctx.commands, key) : undefined;
  if (!found || found.runnable.prepare) throw new UserError('bad_args', '卡片数据无法识别，请重新发送命令。');
  const chat: ChatRef = ctx.chat ?? { chatId: '', type: 'p2p' };
  const denied = accessDenial(found.runnable.access, {
    chatType: chat.type,
    hasOrg: ctx.org !== undefined,
    role: ctx.actor.role,
    orgAmbiguous: false,
    botAdmin: ctx.actor.isBotAdmin,
  });
  if (denied) throw new UserError(denied.code, denied.message);
  const tokens: ArgToken[] = found.args.map((text, i) => ({
    kind: 'word',
    text,
    tail: found.args.slice(i).join(' '),
  }));
  const args = found.runnable.args.safeParse(tokens);
  if (!args.success) throw new UserError('bad_args', '卡片数据无法识别，请重新发送命令。');
  const answer = await found.runnable.handle(
    { ...ctx, chat, org: ctx.org, message: { messageId: ctx.card.messageId ?? '' } },
    args.data,
    undefined,
  );
  if (!answer) return { toast: { type: 'success', content: '已完成' } };
  await ctx.outbox.send({ openId: ctx.actor.openId }, answer, ctx.org ? { orgId: ctx.org.id } : {});
  return {
    toast: {
      type: 'info',
      content: chat.type === 'group' ? '已私信发送，请在与清风的单聊中查看' : '已发送',
    },
  };
}
