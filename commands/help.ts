/** /help (/帮助): the commands this person may run in this chat, as a card with quick buttons. */
import { helpRun, NO_ROLE } from '../src/cards/actions/help.ts';
import { actionsOf } from '../src/cards/contract.ts';
import { buildHelpCard } from '../src/cards/help-card.ts';
import { meElements } from '../src/cards/me-card.ts';
import { noArgs } from '../src/core/args.ts';
import { defineCommand } from '../src/core/contracts.ts';
import { loadMeView } from '../src/features/me/view.ts';
import { visibleCommands } from '../src/services/help.ts';

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
    return {
      type: 'card',
      card: buildHelpCard({ orgName: ctx.org?.name, orgId: ctx.org?.id, commands: visibleCommands(ctx), drawnFor }),
    };
  },
  actions: actionsOf(
    // In a group the help card is shared: 刷新 redraws the same card whoever clicks, and 我的 goes to
    // the clicker privately. In a private chat both answer with the clicker's own card.
    helpRun.define({
      roles: 'anyone',
      async handle(ctx, value) {
        const org = { orgName: ctx.org?.name, orgId: ctx.org?.id };
        const refreshed = { type: 'success' as const, content: '已刷新' };
        if (value.cmd === 'help' && ctx.chat?.type === 'group') {
          // A card from before cards remembered their role is left as it is.
          if (!value.r) return { toast: refreshed };
          const role = value.r === NO_ROLE ? undefined : value.r;
          const commands = visibleCommands({ ...ctx, chat: ctx.chat, actor: { ...ctx.actor, role } });
          return { toast: refreshed, card: buildHelpCard({ ...org, commands, drawnFor: value.r }) };
        }
        const chat = ctx.chat?.type === 'p2p' ? ctx.chat : { chatId: '', type: 'p2p' as const };
        const commands = visibleCommands({ ...ctx, chat });
        if (value.cmd === 'help') return { toast: refreshed, personal: buildHelpCard({ ...org, commands }) };
        const me = await loadMeView(ctx.db, ctx.actor.openId, ctx.today);
        return {
          toast: { type: 'success', content: '已显示您的信息' },
          personal: buildHelpCard({
            ...org,
            commands,
            panel: { title: `我的 · ${me.name ?? ctx.actor.name ?? ''}`, elements: meElements(me) },
          }),
        };
      },
    }),
  ),
});
