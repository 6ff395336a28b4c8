/**
 * Work that outlasts the ack survives a crash: the bot process (the real `npm start` entry) gets
 * `/绑定` in a group of 1,000 members while Feishu answers the member pages slowly, acknowledges it
 * and says "正在处理…", and is killed with SIGKILL before the binding is done. Started again, it
 * finishes the binding from its inbox: bound once, every member once, one answer, no redelivery needed.
 */
import { describe, expect, it } from 'vitest';
import { WORKING_TEXT } from '../../src/feishu/inbox.ts';
import { messageText } from '../helpers/bot.ts';
import { cardTitle } from '../helpers/cards.ts';
import { testDialect } from '../helpers/db.ts';
import { allBotMessages } from '../helpers/fault-bot.ts';
import { startBotProcess } from '../helpers/fault-proc.ts';

describe('a crash after the ack', () => {
  it(`finishes the work once after a restart (${testDialect})`, async () => {
    // Feishu gives up on an event after 3 s; the ack must come before.
    const { emu, db, bot } = await startBotProcess({ redeliverAfterMs: 3000 });

    const owner = emu.addUser('李书记');
    const others = Array.from({ length: 999 }, (_x, i) => emu.addUser(`党员${i + 1}`).openId);
    const chat = emu.createGroup({ name: '机关第一党支部', owner: owner.openId, members: others });
    // Each member page takes a second: the list takes ten, far past the ack and the kill.
    emu.slowDown({ path: '/members', delayMs: 1000 });

    const sent = await emu.sendText({
      chatId: chat.chatId,
      from: owner.openId,
      text: '/绑定 机关第一党支部',
      mentionBot: true,
    });
    expect(emu.deliveries.at(-1), bot.output.join('').slice(-4000)).toMatchObject({ acked: true, attempts: 1 });
    const replies = () => allBotMessages(emu).filter((m) => m.parentId === sent.messageId);
    await emu.waitFor(() => replies().some((m) => messageText(m) === WORKING_TEXT), {
      what: '"正在处理…"',
      timeoutMs: 15_000,
    });
    expect(await db.handle.db.selectFrom('chat_bindings').selectAll().execute()).toEqual([]);

    await bot.kill();
    emu.clearSlowDowns();
    await bot.start();

    const done = await emu.waitFor(() => replies().find((m) => messageText(m) !== WORKING_TEXT), {
      what: 'the binding answer after the restart',
      timeoutMs: 30_000,
    });
    expect(cardTitle(done)).toBe('已绑定：机关第一党支部');
    expect(done.content).toContain('已同步群成员 1000 人');
    // Anything late shows up before counting.
    await emu.waitFor(
      async () =>
        (await db.handle.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length === 0,
      { what: 'outbox drained', timeoutMs: 15_000 },
    );
    expect(replies().map((m) => (messageText(m) === WORKING_TEXT ? 'working' : cardTitle(m)))).toEqual([
      'working',
      '已绑定：机关第一党支部',
    ]);
    expect(await db.handle.db.selectFrom('chat_bindings').select('chat_id').execute()).toHaveLength(1);
    const members = await db.handle.db.selectFrom('members').select('open_id').execute();
    expect(members).toHaveLength(1000);
    expect(new Set(members.map((m) => m.open_id)).size).toBe(1000);
    const inbox = await db.handle.db.selectFrom('inbox').selectAll().execute();
    expect(inbox).toMatchObject([{ key: `msg:${sent.messageId}`, status: 'done', late: 1 }]);
    // Feishu never had to send it again: the restart found it in the inbox.
    expect(emu.deliveries.filter((d) => d.type === 'im.message.receive_v1').map((d) => d.attempts)).toEqual([1]);
    expect(bot.records().some((l) => l.msg === 'resuming an inbound event')).toBe(true);
  }, 90_000);
});
