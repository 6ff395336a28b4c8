/**
 * Open API reads a command makes (the chat and its members for /绑定) meeting 429 and 5xx: retried
 * within the ack budget; when Feishu keeps refusing, the command is postponed (not answered "出错了",
 * not marked processed) and runs once Feishu answers again — the org is created, the answer comes once.
 */
import { describe, type ExpectStatic, it } from 'vitest';
import type { EmuMessage } from '../../src/sandbox/store.ts';
import { type BotHarness, isWorkingNotice, messageText, startBot } from '../helpers/bot.ts';
import { answerTo, settled } from '../helpers/converse.ts';
import { testDialect } from '../helpers/db.ts';
import { replyCounts, startFaultBot } from '../helpers/fault-bot.ts';

async function bindGroup(h: BotHarness) {
  const secretary = h.emu.addUser('李书记');
  const members = ['王纪检', '张组织'].map((n) => h.emu.addUser(n));
  const chat = h.emu.createGroup({
    name: '第一党支部',
    owner: secretary.openId,
    members: members.map((m) => m.openId),
  });
  return { secretary, members, chat };
}

async function expectBoundOnce(expect: ExpectStatic, h: BotHarness, sent: EmuMessage, chatId: string) {
  const answer = await answerTo(h, sent, 20_000);
  expect(messageText(answer)).not.toMatch(/出错了/);
  // Every redelivery handled and every send made: a duplicate would be there now.
  await settled(h);
  expect(replyCounts(h.emu, [sent.messageId]).get(sent.messageId)).toBe(1);
  const org = await h.db.db
    .selectFrom('chat_bindings')
    .select('org_id')
    .where('chat_id', '=', chatId)
    .executeTakeFirst();
  expect(org).toBeDefined();
  const members = await h.db.db.selectFrom('members').select('open_id').execute();
  expect(members.length).toBe(3);
}

describe(`Open API reads during a command (${testDialect})`, () => {
  it('one 429 on the chat lookup during /绑定: retried, the org is created, answered once', async ({
    expect,
    onTestFinished,
  }) => {
    const h = await startFaultBot();
    onTestFinished(() => h.stop());
    const { secretary, chat } = await bindGroup(h);
    h.emu.failNext({
      method: 'GET',
      path: `/im/v1/chats/${chat.chatId}`,
      times: 1,
      status: 429,
      code: 99991400,
      headers: { 'x-ogw-ratelimit-reset': '0', 'x-ogw-ratelimit-limit': '50' },
    });
    const sent = await h.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: '/绑定 第一党支部',
      mentionBot: true,
    });
    await expectBoundOnce(expect, h, sent, chat.chatId);
    const chatCalls = h.emu.store.apiLog.filter(
      (c) => c.path.split('?')[0] === `/open-apis/im/v1/chats/${chat.chatId}`,
    );
    expect(chatCalls.map((c) => c.status)).toEqual([429, 200]);
  }, 40_000);

  it('the member list refused (429, then 503) for longer than the ack budget: acknowledged, retried from the inbox, then bound once', async ({
    expect,
    onTestFinished,
  }) => {
    const h = await startFaultBot({ emulator: { maxRedeliveries: 10, redeliverAfterMs: 1500 } });
    onTestFinished(() => h.stop());
    const { secretary, chat } = await bindGroup(h);
    h.emu.failNext({ method: 'GET', path: '/members', times: 3, status: 429, code: 99991400 });
    h.emu.failNext({ method: 'GET', path: '/members', times: Infinity, status: 503, code: 503 });
    const sending = h.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: '/绑定 第一党支部',
      mentionBot: true,
    });
    // The event is safe in the inbox once written, so it is acknowledged at once; Feishu's refusals
    // outlast the budget, the command is postponed and tried again from the inbox, not sent again.
    const refused = () => h.emu.store.apiLog.filter((c) => c.path.endsWith('/members') && c.status >= 429).length;
    const retried = async () => {
      const row = await h.db.db
        .selectFrom('inbox')
        .select(['attempts', 'status'])
        .where('kind', '=', 'message')
        .execute();
      return row.some((r) => r.status === 'pending' && r.attempts >= 2);
    };
    await h.emu.waitFor(
      async () =>
        refused() >= 4 &&
        (await retried()) &&
        h.logs.records().some((r) => typeof r.msg === 'string' && r.msg.startsWith('command postponed')),
      { what: 'the reads refused past the ack budget and the command tried again', timeoutMs: 20_000 },
    );
    expect(h.emu.deliveries.at(-1)).toMatchObject({ acked: true, attempts: 1 });
    // Nothing answered and nothing recorded as done while Feishu refuses.
    const processed = await h.db.db
      .selectFrom('processed_events')
      .select('key')
      .where('key', 'like', 'msg:%')
      .execute();
    const sentMsg = [...h.emu.store.messages.values()].find(
      (m) => m.senderType === 'user' && m.content.includes('/绑定'),
    ) as EmuMessage;
    expect(processed.map((p) => p.key)).not.toContain(`msg:${sentMsg.messageId}`);
    expect(replyCounts(h.emu, [sentMsg.messageId]).get(sentMsg.messageId)).toBe(0);
    const clearedAt = Date.now();
    h.emu.clearFaults();
    await sending;
    await expectBoundOnce(expect, h, sentMsg, chat.chatId);
    // Bound only once Feishu answered the reads again.
    const bound = h.emu
      .botMessages(chat.chatId)
      .find((m) => m.parentId === sentMsg.messageId && !isWorkingNotice(m)) as EmuMessage;
    expect(Date.parse(bound.createdAt)).toBeGreaterThanOrEqual(clearedAt - 50);
    const logs = h.logs.records();
    expect(logs.some((r) => r.msg === 'command failed')).toBe(false);
    expect(
      logs.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('command postponed')).length,
    ).toBeGreaterThan(0);
  }, 40_000);

  it('over webhooks: a read still refused is acknowledged (200, never 500), retried from the inbox, then the command runs once', async ({
    expect,
    onTestFinished,
  }) => {
    // The emulator would send the event again after 1.5 s without an ack: it never needs to.
    const h = await startBot({
      transport: 'webhook',
      emulator: { maxRedeliveries: 10, redeliverAfterMs: 1500, ackTimeoutMs: 20_000 },
    });
    onTestFinished(() => h.stop());
    const { secretary, chat } = await bindGroup(h);
    h.emu.failNext({ method: 'GET', path: '/members', times: Infinity, status: 503, code: 503 });
    const sending = h.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: '/绑定 第一党支部',
      mentionBot: true,
    });
    const sent = await sending;
    // Recorded, so acknowledged on the first delivery; the work meets the refusals and is postponed.
    expect(h.emu.deliveries.at(-1)).toMatchObject({ type: 'im.message.receive_v1', acked: true, attempts: 1 });
    await h.emu.waitFor(
      () => h.logs.records().some((r) => typeof r.msg === 'string' && r.msg.startsWith('command postponed')),
      { what: 'the command postponed', timeoutMs: 20_000 },
    );
    h.emu.clearFaults();
    await expectBoundOnce(expect, h, sent, chat.chatId);
    const logs = h.logs.records();
    expect(logs.some((r) => r.msg === 'http handler failed')).toBe(false);
    // Storage answered throughout: no request was refused with 503 (that is for a failed insert).
    expect(logs.some((r) => r.status === 503)).toBe(false);
  }, 40_000);
});
