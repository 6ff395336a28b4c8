/** /help (/帮助): the commands this person may run in this chat, as a card with quick buttons. */
import { z } from 'zod';
import { buildHelpCard } from '../src/cards/help-card.ts';
import { meElements } from '../src/cards/me-card.ts';
import { noArgs } from '../src/core/args.ts';
import { defineAction, defineCommand } from '../src/core/contracts.ts';
import { localDate } from '../src/domain/time.ts';
import { visibleCommands } from '../src/services/help.ts';
import { loadMeView } from '../src/services/me.ts';

export default defineCommand({
  name: 'help',
  aliases: ['帮助', 'h', '?', '命令'],
  summary: '查看您在这里可以使用的命令',
  usage: ['/帮助'],
  args: noArgs,
  access: { roles: 'anyone', chat: 'any', org: 'optional' },
  async handle(ctx) {
    return {
      type: 'card',
      card: buildHelpCard({ orgName: ctx.org?.name, orgId: ctx.org?.id, commands: visibleCommands(ctx) }),
    };
  },
  actions: {
    // The buttons on the help card run a command for whoever clicks and answer with the updated card.
    'help.run': defineAction({
      value: z.object({ cmd: z.enum(['me', 'help']) }),
      roles: 'anyone',
      async handle(ctx, value) {
        const chat = ctx.chat ?? { chatId: '', type: 'p2p' as const };
        const commands = visibleCommands({ ...ctx, chat });
        const base = { orgName: ctx.org?.name, orgId: ctx.org?.id, commands };
        if (value.cmd === 'help') {
          return { toast: { type: 'success', content: '已刷新' }, card: buildHelpCard(base) };
        }
        const me = await loadMeView(ctx.db, ctx.actor.openId, localDate(ctx.now, ctx.settings.timezone));
        return {
          toast: { type: 'success', content: '已显示您的信息' },
          card: buildHelpCard({
            ...base,
            panel: { title: `我的 · ${me.name ?? ctx.actor.name ?? ''}`, elements: meElements(me) },
          }),
        };
      },
    }),
  },
});
