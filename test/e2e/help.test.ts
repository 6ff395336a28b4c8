/**
 * /帮助 through the real router (issue 14, "help that fits"): for a member and for the secretary, in
 * the group and in private, the help card fits one screen (measured by the emulator's card
 * measurer); its quick buttons run the command for whoever clicks and answer privately; 全部命令
 * sends the full list (the only place with English aliases) privately from a group, and the group
 * card never changes into one person's view.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cardHeight } from '../../src/sandbox/card-check/measure.ts';
import { type BotHarness, isWorkingNotice, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText } from '../helpers/cards.ts';
import { settled } from '../helpers/converse.ts';

/** The budget test/unit/help-card.test.ts explains: a 375 px wide phone, one short scroll at most. */
const HELP_HEIGHT_BUDGET = 720;

describe('/帮助 fits one screen', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  /** The bot's answers in a chat (the "正在处理…" note left out). */
  const answers = (chatId: string) => h.emu.botMessages(chatId).filter((m) => !isWorkingNotice(m));

  /** Sends a command and returns the bot's next answer in that chat. */
  async function ask(chatId: string, from: string, text: string, o: { mentionBot?: boolean } = {}) {
    const before = answers(chatId).length;
    await h.emu.sendText({ chatId, from, text, mentionBot: o.mentionBot ?? true });
    return h.emu.waitFor(() => answers(chatId)[before], { what: `answer to ${text}` });
  }

  /** Clicks a button of a card and waits until the bot has nothing left to do. */
  async function click(messageId: string, from: string, text: string) {
    const r = await h.emu.click({ messageId, from, value: button(h.emu.requireMessage(messageId), text).value });
    await settled(h);
    return r;
  }

  it('a member and the secretary, in the group and in private: one screen, their own quick buttons', async () => {
    h = await startBot();
    const { chat, secretary, members } = await seedBranch(h);
    const member = members[2] as { openId: string };
    const cases = [
      { who: member.openId, chatId: chat.chatId, quick: ['我的整改', '我的任务', '会议与学习'] },
      {
        who: member.openId,
        chatId: h.emu.p2pChat(member.openId).chatId,
        quick: ['我的整改', '我的任务', '会议与学习'],
      },
      { who: secretary.openId, chatId: chat.chatId, quick: ['发布会议通知', '逾期整改', '合规日历'] },
      {
        who: secretary.openId,
        chatId: h.emu.p2pChat(secretary.openId).chatId,
        quick: ['待审核整改', '新建整改', '合规日历'],
      },
    ];
    for (const c of cases) {
      const m = await ask(c.chatId, c.who, '/帮助', { mentionBot: c.chatId === chat.chatId });
      expect(m.msgType).toBe('interactive');
      expect(cardHeight(m.content, { width: 375 })).toBeLessThanOrEqual(HELP_HEIGHT_BUDGET);
      const labels = buttons(m).map((b) => b.text);
      expect(labels.slice(0, 3)).toEqual(c.quick);
      expect(labels).toContain('全部命令');
      // No English alias on the help card itself.
      expect(cardText(m.content).replace(/<[^>]+>/g, '')).not.toMatch(/\/[a-z]/);
    }
  });

  it('全部命令 in the group goes to the clicker privately; the group card stays as it was', async () => {
    h = await startBot();
    const { chat, members } = await seedBranch(h);
    const member = members[2] as { openId: string };
    const help = await ask(chat.chatId, member.openId, '/帮助');
    const before = h.emu.requireMessage(help.messageId).content;
    const p2p = h.emu.p2pChat(member.openId).chatId;
    const privately = answers(p2p).length;

    const r = await click(help.messageId, member.openId, '全部命令');
    expect(r.toast?.content).toContain('已私信发送');
    expect(h.emu.requireMessage(help.messageId).content).toBe(before);
    const full = answers(p2p)[privately];
    expect(full?.msgType).toBe('interactive');
    const text = cardText(full?.content ?? '{}');
    expect(text).toContain('全部命令');
    expect(text).toContain('/整改 查看**（/rectify show）');
    expect(text).not.toContain('/角色'); // a member's list
    // 返回帮助 in private replaces the list with the member's own help card.
    const back = await click(full?.messageId ?? '', member.openId, '返回帮助');
    expect(back.card).toBeDefined();
    expect(cardText(h.emu.requireMessage(full?.messageId ?? '').content)).toContain('可用命令');
  });

  it('a quick button runs the command for whoever clicks, answered privately, with their own rights', async () => {
    h = await startBot();
    const { chat, secretary, members } = await seedBranch(h);
    const member = members[2] as { openId: string };
    const help = await ask(chat.chatId, secretary.openId, '/帮助');
    const before = h.emu.requireMessage(help.messageId).content;
    const groupCount = answers(chat.chatId).length;

    // The secretary's 合规日历 comes to the secretary's private chat.
    const secP2p = h.emu.p2pChat(secretary.openId).chatId;
    const had = answers(secP2p).length;
    const r = await click(help.messageId, secretary.openId, '合规日历');
    expect(r.toast?.content).toContain('已私信发送');
    const calendar = answers(secP2p)[had];
    expect(calendar?.msgType).toBe('interactive');
    expect(cardText(calendar?.content ?? '{}')).toContain('合规日历');
    // Each of the secretary's quick buttons answers with a card of its own.
    for (const label of ['发布会议通知', '逾期整改']) {
      const n = answers(secP2p).length;
      expect((await click(help.messageId, secretary.openId, label)).toast?.type).toBe('info');
      expect(answers(secP2p)[n]?.msgType).toBe('interactive');
    }

    // A member pressing the secretary's 发布会议通知 is refused with the role named; nothing is sent.
    const memberP2p = h.emu.p2pChat(member.openId).chatId;
    const memberHad = answers(memberP2p).length;
    const refused = await click(help.messageId, member.openId, '发布会议通知');
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('书记');
    expect(answers(memberP2p)).toHaveLength(memberHad);

    // The group saw no new message and the group card is unchanged.
    expect(answers(chat.chatId)).toHaveLength(groupCount);
    expect(h.emu.requireMessage(help.messageId).content).toBe(before);
  });

  it('in private a quick button answers with a new message and leaves the help card', async () => {
    h = await startBot();
    const { members } = await seedBranch(h);
    const member = members[2] as { openId: string };
    const p2p = h.emu.p2pChat(member.openId).chatId;
    const help = await ask(p2p, member.openId, '/帮助', { mentionBot: false });
    const before = h.emu.requireMessage(help.messageId).content;
    const had = answers(p2p).length;
    const r = await click(help.messageId, member.openId, '我的整改');
    expect(r.toast?.content).toBe('已发送');
    expect(answers(p2p).length).toBe(had + 1);
    expect(h.emu.requireMessage(help.messageId).content).toBe(before);
  });
});
