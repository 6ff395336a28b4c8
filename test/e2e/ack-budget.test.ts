/**
 * The ack is never held by slow work (docs/feishu-platform.md §0): `/绑定` in a group of 1,000 members (ten pages
 * of members) and a 5,000-row 整改台账 are acknowledged within Feishu's 3 s — the emulator gives up
 * on an event after 3 s and would send it again, so "acknowledged on the first delivery" is the
 * 3 s contract — then "正在处理…" and the result arrive. Feishu is made slow on purpose (the
 * emulator's slowDown), so the work outlasts the window whatever the machine's speed; a card click
 * whose work outlasts it gets a "正在处理…" toast and its answer on the card afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WORKING_TEXT } from '../../src/feishu/inbox.ts';
import type { EmuMessage, EmuUser } from '../../src/sandbox/store.ts';
import { type BotHarness, fixedClock, messageText, startBot } from '../helpers/bot.ts';
import { button, cardTitle } from '../helpers/cards.ts';
import { LEDGER_HEADERS, ledgerXlsx } from '../helpers/ledger-files.ts';

const ACK_WINDOW_MS = 3000;

describe('acknowledged within 3 s whatever the work takes', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  const start = (transport: 'websocket' | 'webhook' = 'websocket') =>
    startBot({ transport, clock: fixedClock('2026-12-01T02:00:00Z'), emulator: { redeliverAfterMs: ACK_WINDOW_MS } });

  /** The delivery record of the event the emulator sent last: acknowledged the first time, within 3 s. */
  const expectAckedAtOnce = () => expect(h.emu.deliveries.at(-1)).toMatchObject({ acked: true, attempts: 1 });

  const replies = (m: EmuMessage) => h.emu.botMessages(m.chatId).filter((x) => x.parentId === m.messageId);
  const result = (m: EmuMessage, timeoutMs = 30_000) =>
    h.emu.waitFor(() => replies(m).find((x) => messageText(x) !== WORKING_TEXT), {
      what: `the result for ${m.content.slice(0, 40)}`,
      timeoutMs,
    });

  /** A group of `size` people (the owner included) with the bot in it. */
  function bigGroup(size: number): { owner: EmuUser; chatId: string } {
    const owner = h.emu.addUser('李书记');
    const others = Array.from({ length: size - 1 }, (_x, i) => h.emu.addUser(`党员${i + 1}`).openId);
    const chat = h.emu.createGroup({ name: '机关第一党支部', owner: owner.openId, members: others });
    return { owner, chatId: chat.chatId };
  }

  const memberCount = async () =>
    Number(
      (
        await h.db.db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it.each(['websocket', 'webhook'] as const)(
    '/绑定 in a group of 1,000 members (%s): acked at once, "正在处理…", then bound with all 1,000',
    async (transport) => {
      h = await start(transport);
      const { owner, chatId } = bigGroup(1000);
      // Ten pages of 100, each answered after 400 ms: the member list alone takes 4 s.
      h.emu.slowDown({ path: '/members', delayMs: 400 });
      const sent = await h.emu.sendText({ chatId, from: owner.openId, text: '/绑定 机关第一党支部', mentionBot: true });
      expectAckedAtOnce();

      const bound = await result(sent);
      expect(cardTitle(bound)).toBe('已绑定：机关第一党支部');
      expect(bound.content).toContain('已同步群成员 1000 人');
      expect(await memberCount()).toBe(1000);
      const all = replies(sent);
      expect(all.map(messageText)).toEqual([WORKING_TEXT, bound.content]);
      const row = await h.db.db.selectFrom('inbox').selectAll().where('key', '=', `msg:${sent.messageId}`).execute();
      expect(row).toMatchObject([{ status: 'done', late: 1 }]);
    },
    60_000,
  );

  it('/绑定 in a group of 1,000 members at full speed: acked at once and bound with everyone', async () => {
    h = await start();
    const { owner, chatId } = bigGroup(1000);
    const sent = await h.emu.sendText({ chatId, from: owner.openId, text: '/绑定 机关第一党支部', mentionBot: true });
    expectAckedAtOnce();
    expect(cardTitle(await result(sent))).toBe('已绑定：机关第一党支部');
    expect(await memberCount()).toBe(1000);
  }, 60_000);

  it('a message is acknowledged once recorded; one chat’s messages are worked on in order, other chats meanwhile', async () => {
    h = await start();
    const first = bigGroup(4);
    const other = bigGroup(3);
    for (const g of [first, other]) {
      const bind = await h.emu.sendText({
        chatId: g.chatId,
        from: g.owner.openId,
        text: '/绑定 机关第一党支部',
        mentionBot: true,
      });
      await result(bind);
    }
    // A 绑定 again reads the members from Feishu, now slow: its work takes well over a second.
    h.emu.slowDown({ path: '/members', delayMs: 1500 });
    const slow = await h.emu.sendText({
      chatId: first.chatId,
      from: first.owner.openId,
      text: '/绑定 机关第一党支部',
      mentionBot: true,
    });
    expectAckedAtOnce();
    const next = await h.emu.sendText({
      chatId: first.chatId,
      from: first.owner.openId,
      text: '/帮助',
      mentionBot: true,
    });
    expectAckedAtOnce();
    const elsewhere = await h.emu.sendText({
      chatId: other.chatId,
      from: other.owner.openId,
      text: '/帮助',
      mentionBot: true,
    });
    expectAckedAtOnce();
    // The other chat is not held up by the slow one: answered before the 绑定 is.
    const otherAnswer = await result(elsewhere);
    const rebound = await result(slow);
    expect(Date.parse(otherAnswer.createdAt)).toBeLessThanOrEqual(Date.parse(rebound.createdAt));
    // In its own chat, /帮助 waited for the 绑定 sent before it.
    const helpAnswer = await result(next);
    const order = h.emu.botMessages(first.chatId).map((m) => m.messageId);
    expect(order.indexOf(rebound.messageId)).toBeLessThan(order.indexOf(helpAnswer.messageId));
  }, 60_000);

  it('past its limit of work in flight the bot still acknowledges at once; the rest wait in the inbox, in order', async () => {
    h = await startBot({
      transport: 'websocket',
      clock: fixedClock('2026-12-01T02:00:00Z'),
      emulator: { redeliverAfterMs: ACK_WINDOW_MS },
      inboxMaxInFlight: 1,
    });
    const g = bigGroup(4);
    await result(
      await h.emu.sendText({ chatId: g.chatId, from: g.owner.openId, text: '/绑定 机关第一党支部', mentionBot: true }),
    );
    h.emu.slowDown({ path: '/members', delayMs: 1000 });
    const sent: EmuMessage[] = [];
    sent.push(
      await h.emu.sendText({ chatId: g.chatId, from: g.owner.openId, text: '/绑定 机关第一党支部', mentionBot: true }),
    );
    for (let i = 0; i < 4; i++) {
      sent.push(await h.emu.sendText({ chatId: g.chatId, from: g.owner.openId, text: '/帮助', mentionBot: true }));
      expectAckedAtOnce();
    }
    const answers = [];
    for (const m of sent) answers.push(await result(m));
    const order = h.emu.botMessages(g.chatId).map((m) => m.messageId);
    const positions = answers.map((a) => order.indexOf(a.messageId));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Those past the limit were left in the inbox and taken by its worker.
    const resumed = h.logs.records().filter((r) => r.msg === 'resuming an inbound event');
    expect(resumed.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a 5,000-row 整改台账 sent privately: acked at once, "正在处理…", then the preview', async () => {
    h = await start();
    const { owner, chatId } = bigGroup(5);
    const bind = await h.emu.sendText({ chatId, from: owner.openId, text: '/绑定 机关第一党支部', mentionBot: true });
    await result(bind);
    const rows = Array.from({ length: 5000 }, (_x, i) => [
      i + 1,
      '巡察',
      `问题${i + 1}：会议记录不全`,
      '逐月检查并补齐记录',
      '李书记',
      '党员1',
      '2026-12-31',
      '集中整改',
    ]);
    const bytes = await ledgerXlsx({ headers: LEDGER_HEADERS, rows });
    // The download alone outlasts the window.
    h.emu.slowDown({ path: '/resources/', delayMs: ACK_WINDOW_MS });
    const sent = await h.emu.sendFile({
      chatId: h.emu.p2pChat(owner.openId).chatId,
      from: owner.openId,
      fileName: '整改台账.xlsx',
      bytes,
    });
    expectAckedAtOnce();
    const preview = await result(sent, 60_000);
    expect(cardTitle(preview)).toBe('导入预览 · 整改台账');
    expect(preview.content).toContain('5000');
    expect(replies(sent).map(messageText)[0]).toBe(WORKING_TEXT);
  }, 90_000);

  it('a click that meets a passing storage fault: no "出错了", a "正在处理…" toast, then the answer on the card', async () => {
    h = await start();
    const { owner, chatId } = bigGroup(3);
    const bind = await h.emu.sendText({ chatId, from: owner.openId, text: '/绑定 机关第一党支部', mentionBot: true });
    await result(bind);
    const help = await h.emu.sendText({ chatId, from: owner.openId, text: '/帮助', mentionBot: true });
    const card = await result(help);
    const before = h.emu.requireMessage(card.messageId).version;
    // The first try meets a locked database (as SQLite reports it); the inbox tries again.
    const router = h.app.router;
    const onCardAction = router.onCardAction.bind(router);
    let failures = 0;
    router.onCardAction = async (evt) => {
      if (failures++ === 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return onCardAction(evt);
    };
    const answer = await h.emu.click({
      messageId: card.messageId,
      from: owner.openId,
      value: button(card, '刷新').value,
    });
    expect(answer.toast?.content).toBe(WORKING_TEXT);
    await h.emu.waitFor(() => h.emu.requireMessage(card.messageId).version > before, {
      what: 'the card updated by PATCH',
      timeoutMs: 15_000,
    });
    expect(failures).toBe(2);
    expect(h.emu.botMessages(chatId).some((m) => messageText(m).includes('出错了'))).toBe(false);
  });

  it('the emulator pages members as Feishu does: at most 100 a page, opaque page tokens, every member once', async () => {
    h = await start();
    const { chatId } = bigGroup(250);
    const auth = (await (
      await fetch(`${h.emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: h.config.feishu.appId, app_secret: h.config.feishu.appSecret }),
      })
    ).json()) as { tenant_access_token: string };
    const page = async (q: string) => {
      const res = await fetch(`${h.emu.url}/open-apis/im/v1/chats/${chatId}/members?member_id_type=open_id&${q}`, {
        headers: { authorization: `Bearer ${auth.tenant_access_token}` },
      });
      return (await res.json()) as {
        code: number;
        data?: { items: { member_id: string }[]; has_more: boolean; page_token: string; member_total: number };
      };
    };
    expect((await page('page_size=101')).code).toBe(99992402);
    expect((await page('page_size=100&page_token=100')).code).toBe(99992402);
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 5; i++) {
      const r = await page(`page_size=100${token ? `&page_token=${token}` : ''}`);
      expect(r.code).toBe(0);
      seen.push(...(r.data?.items ?? []).map((x) => x.member_id));
      expect(r.data?.member_total).toBe(250);
      if (!r.data?.has_more) break;
      token = r.data.page_token;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(await h.app.feishu.directory.listChatMembers(chatId)).toHaveLength(250);
  });

  it('says "正在处理…" only where an answer follows: not to group chatter, files in groups or bots', async () => {
    h = await start();
    const base = {
      eventId: 'ev',
      messageId: 'om',
      chatId: 'oc',
      senderOpenId: 'ou_a',
      senderType: 'user',
      messageType: 'text',
      file: undefined,
      mentions: [],
    };
    const expects = (o: Partial<typeof base> & { chatType: 'p2p' | 'group'; text: string | undefined }) =>
      h.app.router.expectsAnswer({ ...base, ...o });
    expect(expects({ chatType: 'group', text: '/帮助' })).toBe(true);
    expect(expects({ chatType: 'group', text: '帮助' })).toBe(true);
    expect(expects({ chatType: 'group', text: '/不存在' })).toBe(true);
    expect(expects({ chatType: 'group', text: '大家好' })).toBe(false);
    expect(expects({ chatType: 'group', text: undefined })).toBe(false);
    expect(expects({ chatType: 'p2p', text: '大家好' })).toBe(true);
    expect(expects({ chatType: 'p2p', text: '/帮助', senderType: 'app' })).toBe(false);
  });

  it('a click whose work outlasts the window: a "正在处理…" toast, then the answer on the card', async () => {
    h = await start();
    const { owner, chatId } = bigGroup(3);
    const bind = await h.emu.sendText({ chatId, from: owner.openId, text: '/绑定 机关第一党支部', mentionBot: true });
    await result(bind);
    const help = await h.emu.sendText({ chatId, from: owner.openId, text: '/帮助', mentionBot: true });
    const card = await result(help);
    const before = h.emu.requireMessage(card.messageId).version;
    // Slow the router itself: the answer comes after the window.
    const router = h.app.router;
    const onCardAction = router.onCardAction.bind(router);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    router.onCardAction = async (evt) => {
      await gate;
      return onCardAction(evt);
    };
    const clicked = h.emu.click({ messageId: card.messageId, from: owner.openId, value: button(card, '刷新').value });
    const answer = await clicked;
    expect(answer.toast?.content).toBe(WORKING_TEXT);
    expect(answer.card).toBeUndefined();
    release();
    await h.emu.waitFor(() => h.emu.requireMessage(card.messageId).version > before, {
      what: 'the card updated by PATCH',
      timeoutMs: 15_000,
    });
    expect(cardTitle(h.emu.requireMessage(card.messageId))).toBe(cardTitle(card));
  }, 60_000);
});
