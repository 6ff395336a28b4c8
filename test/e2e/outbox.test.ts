/**
 * The outbox dispatcher against the emulator's real answers:
 * - 429 with x-ogw-ratelimit-reset, then 200 → exactly one message, sent after the wait;
 * - 5xx retried with backoff; a revoked token (99991663) refreshed and the call retried once;
 * - 230002 (bot removed) and 230053 (user blocked the bot) dead-letter at once, mark the target
 *   unreachable and tell the org's admins once, privately; a bad card (230099) is never retried;
 * - after the bounded number of attempts a row is dead: listed by `outbox list --dead`, resent by `outbox retry`;
 * - a burst to one chat stays within 5/s per chat, so Feishu never answers 429.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { card, markdown } from '../../src/cards/parts.ts';
import { runCli } from '../../src/cli/run.ts';
import { listOutbox } from '../../src/db/repositories/outbox.ts';
import { isUnreachable } from '../../src/db/repositories/unreachable.ts';
import { type BotHarness, messageText, seedBranch, startBot } from '../helpers/bot.ts';
import { settled } from '../helpers/converse.ts';
import { countedJob } from '../helpers/jobs.ts';

/** A job that posts `count` texts to a chat or a person, for driving the outbox. */
function postJob(to: () => { chatId: string } | { openId: string }, count = 1, body?: 'bad-card') {
  return countedJob('test-post', count, async (c, i) => {
    if (body === 'bad-card') {
      const bad = card({ title: 'x', elements: [markdown('x')] });
      (bad.body.elements as unknown[]).push({ tag: 'blink' });
      await c.outbox.send(to(), { type: 'card', card: bad });
    } else {
      await c.outbox.send(to(), { type: 'text', text: `提醒 ${i + 1}` });
    }
  });
}

describe('outbox dispatcher', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const calls = (path: string) => h.emu.store.apiLog.filter((c) => c.path.includes(path));

  it('waits for x-ogw-ratelimit-reset after a 429 and then sends exactly one message', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    h.emu.failNext({
      method: 'POST',
      path: '/reply',
      times: 1,
      status: 429,
      code: 99991400,
      headers: { 'x-ogw-ratelimit-reset': '1', 'x-ogw-ratelimit-limit': '5' },
    });
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).some((m) => messageText(m).includes('可用命令')));
    await settled(h);
    expect(h.emu.botMessages(chat.chatId).filter((m) => messageText(m).includes('可用命令'))).toHaveLength(1);
    const replies = calls('/reply');
    expect(replies.map((c) => c.status)).toEqual([200, 429, 200]); // the bind reply, then the limited one, then its retry
    const waited = Date.parse(replies[2]?.at ?? '') - Date.parse(replies[1]?.at ?? '');
    expect(waited).toBeGreaterThanOrEqual(1000);
    const rows = await listOutbox(h.db.db, { status: 'sent' });
    expect(rows.find((r) => r.attempts === 2)).toBeDefined();
  });

  it('retries a 5xx with backoff and refreshes a revoked token once', async () => {
    h = await startBot();
    const { chat, secretary } = await seedBranch(h);
    h.emu.failNext({ method: 'POST', path: '/reply', times: 1, status: 503, code: 503 });
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/我的', mentionBot: true });
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length === 2, { what: 'reply after 503' });
    expect(calls('/reply').map((c) => c.status)).toEqual([200, 503, 200]);

    h.emu.revokeTokens();
    const tokensBefore = calls('tenant_access_token').length;
    await h.emu.sendText({ chatId: chat.chatId, from: secretary.openId, text: '/帮助', mentionBot: true });
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length === 3, { what: 'reply after token revoke' });
    const last = calls('/reply').slice(-2);
    expect(last.map((c) => c.code)).toEqual([99991663, 0]);
    expect(calls('tenant_access_token').length).toBe(tokensBefore + 1);
  });

  it('dead-letters 230002 at once, marks the chat unreachable and tells the admins once', async () => {
    let chatId = '';
    h = await startBot({ jobs: [postJob(() => ({ chatId }))] });
    const { chat, secretary, members } = await seedBranch(h);
    chatId = chat.chatId;
    h.emu.removeBotFromChat(chat.chatId);
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    const p2p = () => h.emu.store.p2pChatOf(secretary.openId);
    const notice = await h.emu.waitFor(
      () => {
        const c = p2p();
        return c && h.emu.botMessages(c.chatId).find((m) => messageText(m).includes('消息无法送达'));
      },
      { what: 'the admin notice' },
    );
    expect(messageText(notice)).toContain('机器人不在该群中');
    const dead = await listOutbox(h.db.db, { status: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]?.attempts).toBe(1);
    expect(dead[0]?.last_error).toContain('230002');
    expect(await isUnreachable(h.db.db, 'chat_id', chat.chatId)).toBe(true);
    // A member who is not an admin is not told.
    expect(h.emu.store.p2pChatOf((members[2] as { openId: string }).openId)).toBeUndefined();

    await h.app.runJob('test-post', new Date('2026-12-02T01:30:00Z'));
    await h.emu.waitFor(async () => (await listOutbox(h.db.db, { status: 'dead' })).length === 2 || undefined);
    await settled(h);
    const notices = h.emu.botMessages(p2p()?.chatId ?? '').filter((m) => messageText(m).includes('消息无法送达'));
    expect(notices).toHaveLength(1);
  });

  it('a user who blocked the bot (230053): dead at once, admins told, not the user', async () => {
    let openId = '';
    h = await startBot({ jobs: [postJob(() => ({ openId }))] });
    const { secretary, members } = await seedBranch(h);
    const blocked = members[2] as { openId: string };
    openId = blocked.openId;
    h.emu.requireUser(blocked.openId).blockedBot = true;
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    await h.emu.waitFor(
      () => {
        const c = h.emu.store.p2pChatOf(secretary.openId);
        return c && h.emu.botMessages(c.chatId).some((m) => messageText(m).includes('已屏蔽机器人'));
      },
      { what: 'the admin notice' },
    );
    const dead = await listOutbox(h.db.db, { status: 'dead' });
    expect(dead.map((d) => d.last_error)).toEqual([expect.stringContaining('230053')]);
    expect(h.emu.store.p2pChatOf(blocked.openId)).toBeUndefined();
  });

  it('never retries a card Feishu rejects (230099)', async () => {
    let chatId = '';
    h = await startBot({ jobs: [postJob(() => ({ chatId }), 1, 'bad-card')] });
    const { chat } = await seedBranch(h);
    chatId = chat.chatId;
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    const dead = await h.emu.waitFor(async () => {
      const d = await listOutbox(h.db.db, { status: 'dead' });
      return d.length > 0 ? d : undefined;
    });
    expect(dead[0]?.attempts).toBe(1);
    expect(calls('/im/v1/messages').filter((c) => c.code === 230099)).toHaveLength(1);
  });

  it('dead-letters after the bounded attempts; `outbox list --dead` shows it and `outbox retry` sends it', async () => {
    let chatId = '';
    h = await startBot({ jobs: [postJob(() => ({ chatId }))], maxAttempts: 2 });
    const { chat } = await seedBranch(h);
    chatId = chat.chatId;
    h.emu.failNext({ method: 'POST', path: '/im/v1/messages', times: 2, status: 500, code: 500 });
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    const dead = await h.emu.waitFor(
      async () => {
        const d = await listOutbox(h.db.db, { status: 'dead' });
        return d.length > 0 ? d : undefined;
      },
      { timeoutMs: 10_000, what: 'the dead letter' },
    );
    const row = dead[0];
    expect(row?.attempts).toBe(2);
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
    const cli = { db: h.db, timezone: 'Asia/Shanghai', logger: h.logs.logger, io };
    await runCli(['outbox', 'list', '--dead'], cli);
    expect(out.join('\n')).toContain(`#${row?.id}\tdead`);
    await runCli(['outbox', 'retry', String(row?.id)], cli);
    h.app.dispatcher.wake();
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).some((m) => messageText(m) === '提醒 1'), {
      what: 'the resent message',
    });
    await expect(runCli(['outbox', 'retry', String(row?.id)], cli)).rejects.toThrow(/不是发送失败的消息/);
  });

  it('keeps a burst to one chat within 5 messages per second', async () => {
    let chatId = '';
    h = await startBot({ jobs: [postJob(() => ({ chatId }), 12)] });
    const { chat } = await seedBranch(h);
    chatId = chat.chatId;
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length === 13, { timeoutMs: 10_000, what: '12 messages' });
    expect(h.emu.stats.rateLimited).toBe(0);
    const sends = h.emu.botMessages(chat.chatId).slice(1);
    expect(sends.map((m) => messageText(m))).toEqual(Array.from({ length: 12 }, (_, i) => `提醒 ${i + 1}`));
    // The emulator counts each chat's sends in Feishu's fixed one-second windows and answers 429 past
    // five (rateLimited above): twelve sends at once would hit it. Gaps measured at arrival are not
    // asserted: they shrink by however late one request reached the emulator.
  });

  it('at stop, hands back what a lane still holds at once instead of sending it first', async () => {
    let chatId = '';
    h = await startBot({ jobs: [postJob(() => ({ chatId }), 30)] });
    const { chat } = await seedBranch(h);
    chatId = chat.chatId;
    await h.app.runJob('test-post', new Date('2026-12-01T01:30:00Z'));
    // The first window's five go out; the rest of the lane waits for the limit.
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length >= 4, { what: 'the first sends' });
    await h.app.stop();
    const rows = await h.db.db
      .selectFrom('outbox')
      .select(['status', 'lease_owner', 'lease_until', 'attempts'])
      .where('payload', 'like', '%提醒%')
      .execute();
    const pending = rows.filter((r) => r.status === 'pending');
    expect(pending.length).toBeGreaterThan(10);
    expect(pending.every((r) => r.lease_owner === null && r.lease_until === null && r.attempts === 0)).toBe(true);
    expect(rows.filter((r) => r.status === 'sent').length + pending.length).toBe(30);
    // The next start sends them, each once.
    await h.restart();
    await h.emu.waitFor(() => h.emu.botMessages(chat.chatId).length === 31, { timeoutMs: 15_000, what: '30 sent' });
    const texts = h.emu
      .botMessages(chat.chatId)
      .slice(1)
      .map((m) => messageText(m));
    expect(new Set(texts).size).toBe(30);
  });
});
