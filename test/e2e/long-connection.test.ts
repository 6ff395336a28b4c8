/**
 * Long-connection transport end to end: /healthz reports the connection (degraded during an outage);
 * a server-side drop and a half-open socket (no pongs, caught by the ping watchdog) are re-dialled,
 * logged and counted, and commands work afterwards; events acknowledged late, delivered again after
 * the ack, or sent during an outage are processed once; fragmented frames and card clicks work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmuChat, EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { button } from '../helpers/cards.ts';
import { settled } from '../helpers/converse.ts';
import { until as waitUntil } from '../helpers/wait.ts';

interface Health {
  status: string;
  transport: { mode: string; state: string; connected: boolean; reconnects: number };
}

async function healthz(h: BotHarness): Promise<Health> {
  const res = await fetch(`${h.url}/healthz`);
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  return waitUntil(check, { what, timeoutMs, everyMs: 25 });
}

/** Sends /帮助 and waits for the help card in reply to it. */
async function askHelp(h: BotHarness, chat: EmuChat, from: EmuUser, timeoutMs = 5000): Promise<EmuMessage> {
  const msg = await h.emu.sendText({ chatId: chat.chatId, from: from.openId, text: '/帮助', mentionBot: true });
  const reply = await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === msg.messageId), {
    what: 'help reply',
    timeoutMs,
  });
  expect(messageText(reply)).toContain('可用命令');
  return reply;
}

function stateLog(h: BotHarness): { state: string; msg: string }[] {
  return h.logs
    .records()
    .filter((r) => r.transport === 'websocket' && typeof r.state === 'string')
    .map((r) => ({ state: r.state as string, msg: r.msg as string }));
}

async function processedRows(h: BotHarness, messageId: string) {
  return h.db.db.selectFrom('processed_events').selectAll().where('key', '=', `msg:${messageId}`).execute();
}

describe('long connection', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  it('reports a connected long connection in /healthz', async () => {
    h = await startBot();
    const health = await healthz(h);
    expect(health.status).toBe('ok');
    expect(health.transport).toMatchObject({ mode: 'websocket', state: 'connected', connected: true, reconnects: 0 });
    expect(h.emu.connectionCount).toBe(1);
    expect(stateLog(h)).toEqual([{ state: 'connected', msg: 'long connection ready' }]);
  });

  it('reconnects after the server drops the connection, and answers commands afterwards', async () => {
    h = await startBot();
    const { chat, members } = await seedBranch(h);
    const connectionsBefore = h.emu.stats.connections;
    h.emu.dropConnections();
    await until(
      async () => h.emu.connectionCount === 1 && h.emu.stats.connections > connectionsBefore,
      'a new connection',
    );
    const health = await until(async () => {
      const x = await healthz(h);
      return x.transport.connected && x.transport.reconnects >= 1 ? x : undefined;
    }, 'healthz connected again');
    expect(health.transport).toMatchObject({ mode: 'websocket', state: 'connected', reconnects: 1 });
    expect(health.status).toBe('ok');

    const states = stateLog(h);
    const lost = states.findIndex((s) => s.state === 'reconnecting');
    expect(lost).toBeGreaterThan(0);
    expect(states.slice(lost + 1).some((s) => s.state === 'connected')).toBe(true);

    await askHelp(h, chat, members[0] as EmuUser);
  });

  it('reports degraded while it cannot reconnect, then answers an event sent during the outage', async () => {
    // Counts the bot's requests for a long-connection endpoint: one per attempt to reconnect.
    let dials = 0;
    const countDials = async (req: { url?: string }) => {
      if ((req.url ?? '').startsWith('/callback/ws/endpoint')) dials++;
      return false;
    };
    h = await startBot({ emulator: { reconnectIntervalSec: 1, redeliverAfterMs: 3000, extraRoutes: countDials } });
    const { chat, members } = await seedBranch(h);
    h.emu.setAcceptConnections(false);
    h.emu.dropConnections();
    const down = await until(async () => {
      const x = await healthz(h);
      return x.transport.connected ? undefined : x;
    }, 'healthz to show the outage');
    expect(down.status).toBe('degraded');
    expect(down.transport.state).not.toBe('connected');
    // Feishu holds the event until a client is connected again (and redelivers it).
    const sent = h.emu.sendText({
      chatId: chat.chatId,
      from: (members[2] as EmuUser).openId,
      text: '/帮助',
      mentionBot: true,
    });
    // The bot keeps trying (two more dials, refused) while the event waits.
    const dialsWhileDown = dials;
    await until(async () => dials >= dialsWhileDown + 2, 'two refused reconnection attempts', 15_000);
    expect(h.emu.connectionCount).toBe(0);
    h.emu.setAcceptConnections(true);
    const msg = await sent;
    const reply = await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === msg.messageId), {
      what: 'reply after the outage',
    });
    expect(messageText(reply)).toContain('可用命令');
    const up = await healthz(h);
    expect(up.status).toBe('ok');
    expect(up.transport).toMatchObject({ state: 'connected', reconnects: 1 });
    expect(await processedRows(h, msg.messageId)).toHaveLength(1);
  });

  // The watchdog (pingTimeoutSec 3 in the harness) must notice a socket that stays silent after a ping,
  // whether the server's ping interval is longer or shorter than the timeout.
  for (const pingIntervalSec of [4, 1]) {
    it(`drops a half-open connection (no pongs) and re-dials, with pings every ${pingIntervalSec} s`, async () => {
      h = await startBot({ emulator: { pingIntervalSec, reconnectIntervalSec: 1 } });
      const { chat, members } = await seedBranch(h);
      const before = (await healthz(h)).transport.reconnects;
      const connectionsBefore = h.emu.stats.connections;
      h.emu.setPongs(false);
      // At most one ping interval until the next ping, then the 3 s watchdog, plus slack.
      await until(
        async () => stateLog(h).some((s) => s.state === 'reconnecting'),
        'the watchdog to drop the silent connection',
        (pingIntervalSec + 3 + 3) * 1000,
      );
      h.emu.setPongs(true);
      const health = await until(
        async () => {
          const x = await healthz(h);
          return x.transport.connected && x.transport.reconnects > before ? x : undefined;
        },
        'connected again',
        15_000,
      );
      expect(health.transport.state).toBe('connected');
      expect(h.emu.stats.connections).toBeGreaterThan(connectionsBefore);
      expect(h.emu.connectionCount).toBe(1);
      await askHelp(h, chat, members[1] as EmuUser);
    }, 40_000);
  }

  it('acknowledges an event once it is recorded, however slow Feishu is: not redelivered, processed once', async () => {
    h = await startBot({ emulator: { redeliverAfterMs: 300 } });
    const secretary = h.emu.addUser('周书记');
    const members = ['吴党员', '郑党员'].map((n) => h.emu.addUser(n));
    const chat = h.emu.createGroup({
      name: '第二党支部',
      owner: secretary.openId,
      members: members.map((m) => m.openId),
    });
    // /绑定 asks Feishu for the chat and its members before answering: a slow Feishu makes the work
    // outlast the emulator's 300 ms redelivery window, but not the ack, which follows the inbox's insert.
    h.emu.latencyMs = 400;
    const msg = await h.emu.sendText({
      chatId: chat.chatId,
      from: secretary.openId,
      text: '/绑定 第二党支部',
      mentionBot: true,
    });
    const delivery = h.emu.deliveries.find((d) => d.type === 'im.message.receive_v1');
    expect(delivery).toMatchObject({ acked: true, attempts: 1 });
    expect(h.emu.stats.redelivered).toBe(0);
    const reply = await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === msg.messageId), {
      what: 'bind reply',
      timeoutMs: 5000,
    });
    expect(messageText(reply)).toContain('已绑定');
    // Let every late attempt finish.
    await settled(h);
    h.emu.latencyMs = 0;
    expect(h.emu.botMessages(chat.chatId)).toHaveLength(1);
    expect(await processedRows(h, msg.messageId)).toHaveLength(1);
    const orgs = await h.db.db.selectFrom('orgs').selectAll().where('name', '=', '第二党支部').execute();
    expect(orgs).toHaveLength(1);
    const audits = await h.db.db.selectFrom('audit_log').selectAll().where('chat_id', '=', chat.chatId).execute();
    expect(audits.filter((a) => a.action === 'command:bind')).toHaveLength(1);
    expect(audits.filter((a) => a.action === 'org:bind')).toHaveLength(1);
    const members_ = await h.db.db
      .selectFrom('members')
      .selectAll()
      .where('org_id', '=', orgs[0]?.id ?? -1)
      .execute();
    expect(members_).toHaveLength(3);
  });

  it('processes an event delivered three times (twice more after its ack) once', async () => {
    h = await startBot();
    const { chat, members } = await seedBranch(h);
    h.emu.duplicateNextEvents = 2;
    const msg = await h.emu.sendText({
      chatId: chat.chatId,
      from: (members[0] as EmuUser).openId,
      text: '/帮助',
      mentionBot: true,
    });
    expect(h.emu.deliveries.at(-1)).toMatchObject({ type: 'im.message.receive_v1', attempts: 3, acked: true });
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).find((m) => m.parentId === msg.messageId));
    await settled(h);
    expect(h.emu.botMessages(chat.chatId).filter((m) => m.parentId === msg.messageId)).toHaveLength(1);
    expect(await processedRows(h, msg.messageId)).toHaveLength(1);
    const help = h.logs.records().filter((r) => r.msg === 'handled' && r.command === 'help');
    expect(help.map((r) => r.outcome)).toEqual(['ok', 'duplicate', 'duplicate']);
  });

  it('handles fragmented frames: a command and a card click', async () => {
    h = await startBot({ emulator: { fragmentBytes: 64 } });
    const { chat, members } = await seedBranch(h);
    expect(messageText(h.emu.botMessages(chat.chatId)[0] as EmuMessage)).toContain('已绑定');
    // In a private chat the help card itself becomes the member's view.
    const member = members[0] as EmuUser;
    const help = await askHelp(h, h.emu.p2pChat(member.openId), member);
    const result = await h.emu.click({
      messageId: help.messageId,
      from: member.openId,
      value: button(help, '我的').value,
    });
    expect(result.error).toBeUndefined();
    expect(result.toast?.content).toBe('已显示您的信息');
    expect(h.emu.requireMessage(help.messageId).version).toBe(1);
    expect(h.emu.requireMessage(help.messageId).content).toContain(member.name);
  });

  it('answers a card click with a toast and the new card', async () => {
    h = await startBot();
    const { members } = await seedBranch(h);
    // In a private chat the help card itself becomes the member's view (in a group it goes privately).
    const member = members[1] as EmuUser;
    const help = await askHelp(h, h.emu.p2pChat(member.openId), member);
    expect(help.version).toBe(0);
    const me = await h.emu.click({ messageId: help.messageId, from: member.openId, value: button(help, '我的').value });
    expect(me.error).toBeUndefined();
    expect(me.toast).toEqual({ type: 'success', content: '已显示您的信息' });
    expect(JSON.stringify(me.card)).toContain(member.name);
    expect(h.emu.requireMessage(help.messageId).version).toBe(1);
    expect(h.emu.requireMessage(help.messageId).content).toContain(member.name);

    const back = await h.emu.click({
      messageId: help.messageId,
      from: member.openId,
      value: button(h.emu.requireMessage(help.messageId), '刷新').value,
    });
    expect(back.toast).toEqual({ type: 'success', content: '已刷新' });
    const card = h.emu.requireMessage(help.messageId);
    expect(card.version).toBe(2);
    expect(card.content).toContain('可用命令');
    expect(card.content).not.toContain('我的 ·');

    const audits = await h.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'action:help.run')
      .where('actor', '=', member.openId)
      .execute();
    expect(audits.map((a) => a.result)).toEqual(['ok', 'ok']);
  });
});
