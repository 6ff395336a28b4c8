import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';

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
      const result = await h.emu.click({
        messageId: help.messageId,
        from: (members[0] as { openId: string }).openId,
        value: { a: 'help.run', cmd: 'me', v: 1 },
      });
      expect(result.error).toBeUndefined();
      expect(result.toast?.content).toBe('已显示您的信息');
      expect(JSON.stringify(result.card)).toContain('王纪检');
      expect(h.emu.requireMessage(help.messageId).version).toBe(1);
    });
  }
});
