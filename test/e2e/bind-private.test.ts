/**
 * `/绑定` in a private chat (issue 18 item 11): binding binds the group it is sent in, so a private
 * chat is told, politely and with the usage, that it is done by sending the command in the party
 * organisation's group chat — with or without a name, whoever sends it — and nothing changes. The bot
 * does not look the private chat up as a group: Feishu refusing that lookup made it answer 出错了.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import * as talk from '../helpers/converse.ts';
import { domainSnapshot } from '../helpers/security-world.ts';

const IN_GROUP =
  '绑定要在党组织的群聊中完成：请群主（或系统管理员）把清风拉进本组织的群聊，在群里@清风 发送“/绑定 组织名”。\n用法：/绑定 第一党支部';

describe('/绑定 in a private chat', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const chatReads = () =>
    h.emu.store.apiLog.filter((c) => c.method === 'GET' && /\/im\/v1\/chats\//.test(c.path)).length;

  it('says that binding is done in the group chat, with the usage, and changes nothing — never 出错了', async () => {
    h = await startBot();
    const w = await seedBranch(h);
    const stranger = h.emu.addUser('周群主');
    const member = w.members[0] as EmuUser;
    const before = await domainSnapshot(h.db.db);
    const readsBefore = chatReads();

    for (const who of [stranger, w.secretary, member]) {
      const p2p = h.emu.p2pChat(who.openId).chatId;
      // Feishu may refuse to describe a private chat as a group: the lookup is not to be made at all.
      h.emu.failNext({ method: 'GET', path: `/im/v1/chats/${p2p}`, times: Infinity, status: 400, code: 232011 });
      for (const text of ['/绑定 第一党支部', '/绑定 新的党支部', '/绑定', '绑定 第二党支部']) {
        const answer = messageText(await talk.say(h, p2p, who, text));
        expect(answer, `${who.name}: ${text}`).toBe(IN_GROUP);
        expect(answer).not.toContain('出错了');
      }
    }
    await talk.settled(h);
    expect(chatReads()).toBe(readsBefore);
    expect(await domainSnapshot(h.db.db)).toEqual(before);

    // In the group the command works as before; without a name it asks for one, with the usage.
    const noName = await talk.say(h, w.chat.chatId, w.secretary, '/绑定');
    expect(messageText(noName)).toBe('缺少组织名。\n用法：/绑定 第一党支部');
    const again = await talk.say(h, w.chat.chatId, w.secretary, '/绑定 第一党支部');
    expect(messageText(again)).toBe('本群已绑定到「第一党支部」，无需重复绑定。');
  });

  it('other group-only commands sent privately are refused by the chat rule, not with 出错了', async () => {
    h = await startBot();
    const w = await seedBranch(h);
    const p2p = h.emu.p2pChat(w.secretary.openId).chatId;
    expect(messageText(await talk.say(h, p2p, w.secretary, '/任务 看板'))).toBe('请在组织的群聊中使用此命令。');
  });
});
