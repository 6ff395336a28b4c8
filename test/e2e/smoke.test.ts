import { afterEach, describe, expect, it } from 'vitest';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';

describe('smoke', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('answers /help over the long connection', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
    const help = await h.emu.waitFor(() =>
      h.emu.botMessages(chat.chatId).find((m) => messageText(m).includes('可用命令')),
    );
    expect(help.msgType).toBe('interactive');
  });
});
