import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { SENT_PRIVATELY } from '../helpers/converse.ts';

describe('smoke', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  for (const transport of ['websocket', 'webhook'] as const) {
    it(`answers /help and a card click over ${transport}`, async () => {
      h = await startBot({ transport });
      const { chat, secretary, members } = await seedBranch(h);
      await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
      const help = await h.emu.waitFor(() =>
        h.emu.botMessages(chat.chatId).find((m) => messageText(m).includes('可用命令')),
      );
      expect(help.msgType).toBe('interactive');
      const member = members[0] as { openId: string };
      const result = await h.emu.click({
        messageId: help.messageId,
        from: member.openId,
        value: button(help, '我的').value,
      });
      expect(result.error).toBeUndefined();
      // 我的 on a group card goes to the member privately; the group card stays as it is.
      expect(result.toast?.content).toBe(SENT_PRIVATELY.view);
      expect(result.card).toBeUndefined();
      const mine = await h.emu.waitFor(() => h.emu.botMessages(h.emu.p2pChat(member.openId).chatId)[0]);
      expect(mine.content).toContain('王纪检');
      expect(h.emu.requireMessage(help.messageId).version).toBe(0);
    });
  }
});
