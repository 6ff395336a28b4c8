/**
 * The demo organisation a visitor finds in the sandbox: a branch group chat with a 书记, a 纪检委员,
 * a 组织委员, a 宣传委员 and six 党员, bound and given roles through the bot's own commands, so the
 * chat history shows how it was done. Later features add their demo items here.
 */
import type { Emulator } from './emulator.ts';
import type { EmuChat, EmuUser } from './store.ts';

export interface SeededWorld {
  chat: EmuChat;
  secretary: EmuUser;
  inspector: EmuUser;
  organizer: EmuUser;
  publicity: EmuUser;
  members: EmuUser[];
}

export const DEMO_ORG = '第一党支部';

export async function seedSandbox(emu: Emulator): Promise<SeededWorld> {
  const secretary = emu.addUser('李明华');
  const inspector = emu.addUser('王建国');
  const organizer = emu.addUser('张晓燕');
  const publicity = emu.addUser('陈志强');
  const members = ['刘洋', '赵敏', '孙磊', '周婷', '吴刚', '郑丽'].map((n) => emu.addUser(n));
  const everyone = [inspector, organizer, publicity, ...members];
  const chat = emu.createGroup({
    name: `${DEMO_ORG}工作群`,
    owner: secretary.openId,
    members: everyone.map((u) => u.openId),
    withBot: false,
  });
  await emu.addBotToChat(chat.chatId, secretary.openId);
  await emu.waitFor(() => emu.botMessages(chat.chatId).length > 0, { what: 'the welcome card', timeoutMs: 10_000 });
  const say = async (text: string) => {
    const before = emu.botMessages(chat.chatId).length;
    await emu.sendText({ chatId: chat.chatId, from: secretary.openId, text, mentionBot: true });
    await emu.waitFor(() => emu.botMessages(chat.chatId).length > before, {
      what: `reply to ${text}`,
      timeoutMs: 10_000,
    });
  };
  await say(`/绑定 ${DEMO_ORG}`);
  await say(`/角色 @{${inspector.openId}} 纪检委员`);
  await say(`/角色 @{${organizer.openId}} 组织委员`);
  await say(`/角色 @{${publicity.openId}} 宣传委员`);
  for (const u of [secretary, ...everyone]) emu.p2pChat(u.openId);
  return { chat, secretary, inspector, organizer, publicity, members };
}
