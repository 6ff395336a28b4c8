/**
 * Natural requests end to end (issue 14, item 2), through the real router over the long connection:
 * greetings, thanks, emoji and a sticker get a friendly answer with the person's three most useful
 * buttons (in a group only when @-mentioned); commands written without a space run, typos are
 * suggested; the five sentences each get the right confirmation card, nothing changes before 确认,
 * only the asker may confirm or cancel (group cards are shared), and 确认 runs the command through the
 * same path as typing it (access, audit), once. The business clock stands at Wednesday 2 December
 * 2026, 10:00 in Beijing; nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.ts';
import { findMember } from '../../src/db/repositories/members.ts';
import { findOrgByChat } from '../../src/db/repositories/orgs.ts';
import { createRectification } from '../../src/features/rectification/repository.ts';
import { type BotHarness, messageText, OffsetClock, seedBranch, startBot } from '../helpers/bot.ts';
import { button, buttons, cardText, cardTitle } from '../helpers/cards.ts';
import { bj, settled } from '../helpers/converse.ts';

describe('natural requests', () => {
  let h: BotHarness;
  afterEach(async () => h?.stop());

  async function boot(o: { groupMessages?: 'all' } = {}) {
    const clock = new OffsetClock();
    clock.set(bj('2026-12-02', '10:00'));
    const wall = new OffsetClock();
    wall.set(bj('2026-12-02', '10:00'));
    h = await startBot({ clock, wallClock: wall, ...(o.groupMessages ? { emulator: { groupMessages: 'all' } } : {}) });
    const branch = await seedBranch(h);
    const org = await findOrgByChat(h.db.db, branch.chat.chatId);
    return { ...branch, orgId: org?.id ?? 0 };
  }

  /** Says something and returns the bot's next message in that chat. */
  async function ask(chatId: string, from: string, text: string, o: { mentionBot?: boolean } = {}) {
    const before = h.emu.botMessages(chatId).length;
    await h.emu.sendText({ chatId, from, text, mentionBot: o.mentionBot ?? true });
    const m = await h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what: `answer to ${text}` });
    return { msg: m, text: messageText(m), title: cardTitle(m) };
  }

  /** The bot's next message in a chat after `before`. */
  const next = (chatId: string, before: number, what: string) =>
    h.emu.waitFor(() => h.emu.botMessages(chatId)[before], { what });

  it('greets, thanks and answers emoji and stickers with the three most useful buttons; in a group only when @-mentioned', async () => {
    const { chat, secretary, members } = await boot({ groupMessages: 'all' });
    const member = members[2] as { openId: string; name: string };
    const p2p = h.emu.p2pChat(member.openId);

    const hello = await ask(p2p.chatId, member.openId, '你好', { mentionBot: false });
    expect(hello.title).toBe('清风 · 您好！');
    expect(hello.text).toContain('发送 /帮助');
    expect(buttons(hello.msg).map((b) => b.text)).toEqual(['我的整改', '我的任务', '会议与学习']);

    const inGroup = await ask(chat.chatId, member.openId, '你好');
    expect(inGroup.title).toBe('清风 · 您好！');
    const boss = await ask(chat.chatId, secretary.openId, '大家下午好');
    expect(buttons(boss.msg).map((b) => b.text)).toEqual(['发布会议通知', '逾期整改', '合规日历']);
    expect((await ask(chat.chatId, member.openId, '谢谢清风！')).title).toBe('清风 · 不客气！');
    expect((await ask(chat.chatId, member.openId, '👍')).title).toBe('清风 · 收到！');
    expect((await ask(p2p.chatId, member.openId, '[微笑]', { mentionBot: false })).title).toBe('清风 · 收到！');

    // A quick button runs its command for whoever clicks.
    const clicked = await h.emu.click({
      messageId: hello.msg.messageId,
      from: member.openId,
      value: button(hello.msg, '我的任务').value,
    });
    expect(clicked.toast?.type).not.toBe('error');

    // A sticker (no text) in the private chat is greeted too.
    // (The emulator's people send no stickers: the message is put in its store, the event handed to the router.)
    await settled(h);
    const before = h.emu.botMessages(p2p.chatId).length;
    const at = bj('2026-12-02', '10:00').toISOString();
    h.emu.store.messages.set('om_sticker_1', {
      messageId: 'om_sticker_1',
      createdAt: at,
      updatedAt: at,
      recalled: false,
      version: 0,
      parentId: undefined,
      uuid: undefined,
      chatId: p2p.chatId,
      senderId: member.openId,
      senderType: 'user',
      msgType: 'sticker',
      content: JSON.stringify({ file_key: 'sticker_v2_1' }),
      mentions: [],
    });
    await h.app.router.onMessage({
      eventId: 'ev_sticker_1',
      messageId: 'om_sticker_1',
      chatId: p2p.chatId,
      chatType: 'p2p',
      senderOpenId: member.openId,
      senderType: 'user',
      messageType: 'sticker',
      text: undefined,
      file: undefined,
      mentions: [],
    });
    expect(cardTitle(await next(p2p.chatId, before, 'sticker answer'))).toBe('清风 · 收到！');

    // Not said to the bot, group chatter gets nothing (the bot hears it here: groupMessages 'all').
    const quiet = h.emu.botMessages(chat.chatId).length;
    await h.emu.sendText({ chatId: chat.chatId, from: member.openId, text: '你好', mentionBot: false });
    await h.emu.sendText({
      chatId: chat.chatId,
      from: member.openId,
      text: '下周三下午三点开支委会',
      mentionBot: false,
    });
    await settled(h);
    expect(h.emu.botMessages(chat.chatId)).toHaveLength(quiet);
  });

  it('runs commands written without a space and suggests the right one for a typo', async () => {
    const { chat, secretary, members } = await boot();
    const member = members[0] as { openId: string };
    const spaced = await ask(chat.chatId, member.openId, '/整改 列表');
    const joined = await ask(chat.chatId, member.openId, '/整改列表');
    expect(joined.msg.msgType).toBe('interactive');
    expect(joined.title).toBe(spaced.title);
    const board = await ask(chat.chatId, secretary.openId, '/任务看板');
    expect(board.title).toBe((await ask(chat.chatId, secretary.openId, '/任务 看板')).title);
    const meetings = await ask(chat.chatId, member.openId, '会议列表');
    expect(meetings.title).toBe((await ask(chat.chatId, member.openId, '/会议 列表')).title);
    expect((await ask(chat.chatId, member.openId, '/整改列彪')).text).toBe(
      '没有 /整改列彪 这个命令。您是不是要找 /整改 列表？发送 /帮助 查看可用命令。',
    );
    const audit = await listAudit(h.db.db, { action: 'command:task.board' });
    expect(audit.map((a) => a.result)).toEqual(['ok', 'ok']);
  });

  it('帮我请假到12月20日: a confirmation card, nothing before 确认, only the asker confirms, once', async () => {
    const { chat, members, orgId } = await boot();
    const member = members[2] as { openId: string; name: string };
    const other = members[0] as { openId: string };
    const card = await ask(chat.chatId, member.openId, '帮我请假到12月20日');
    expect(card.title).toBe('请确认：登记请假');
    const shown = cardText(card.msg.content);
    expect(shown).toContain(member.name);
    expect(shown).toContain('今天（12月2日（星期三））至 12月20日（星期日），含当天');
    expect(shown).toContain('/请假 2026-12-20');
    expect((await findMember(h.db.db, orgId, member.openId))?.away_until).toBeNull();

    // Someone else pressing 确认 or 取消 on the shared group card changes nothing.
    for (const text of ['确认', '取消']) {
      const refused = await h.emu.click({
        messageId: card.msg.messageId,
        from: other.openId,
        value: button(card.msg, text).value,
      });
      expect(refused.toast).toEqual({ type: 'warning', content: '这是其他同志发起的确认，只有发起人可以确认或取消。' });
    }
    expect((await findMember(h.db.db, orgId, member.openId))?.away_until).toBeNull();

    const confirmValue = button(card.msg, '确认').value;
    const before = h.emu.botMessages(chat.chatId).length;
    const ok = await h.emu.click({
      messageId: card.msg.messageId,
      from: member.openId,
      value: button(card.msg, '确认').value,
    });
    expect(ok.toast).toEqual({ type: 'success', content: '已确认' });
    expect(cardText(ok.card)).toContain('已按您的确认办理：请假至 12月20日（星期日）');
    const done = await next(chat.chatId, before, 'the command answer');
    expect(messageText(done)).toContain('已登记请假至 12月20日');
    expect((await findMember(h.db.db, orgId, member.openId))?.away_until).toBe('2026-12-20');
    const audit = await listAudit(h.db.db, { action: 'command:away' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: member.openId, chat_id: chat.chatId, result: 'ok' });

    // The same confirmation pressed again (a replayed click) runs nothing twice.
    const again = await h.emu.click({
      messageId: card.msg.messageId,
      from: member.openId,
      value: confirmValue,
      bypassClient: true,
    });
    expect(again.toast?.content).toBe('已经确认过了。');
    expect(await listAudit(h.db.db, { action: 'command:away' })).toHaveLength(1);
  });

  it('下周三下午三点开支委会: confirmed, opens the new-meeting form with the start filled in; a member is told it needs a leader', async () => {
    const { chat, secretary, members } = await boot();
    const refused = await ask(chat.chatId, (members[2] as { openId: string }).openId, '下周三下午三点开支委会');
    expect(refused.text).toBe('需要书记、副书记、纪检委员或组织委员权限。');

    const card = await ask(chat.chatId, secretary.openId, '下周三下午三点开支委会');
    expect(card.title).toBe('请确认：新建支委会');
    const shown = cardText(card.msg.content);
    expect(shown).toContain('12月9日（星期三） 15:00');
    expect(shown).toContain('/会议 新建 支委会 2026-12-09 15:00');
    const cancelled = await h.emu.click({
      messageId: card.msg.messageId,
      from: secretary.openId,
      value: button(card.msg, '取消').value,
    });
    expect(cardText(cancelled.card)).toContain('没有做任何更改');

    const again = await ask(chat.chatId, secretary.openId, '下周三下午三点开支委会');
    const before = h.emu.botMessages(chat.chatId).length;
    const ok = await h.emu.click({
      messageId: again.msg.messageId,
      from: secretary.openId,
      value: button(again.msg, '确认').value,
    });
    expect(ok.toast?.type).toBe('success');
    const form = await next(chat.chatId, before, 'the new-meeting form');
    expect(cardTitle(form)).toBe('新建会议');
    expect(form.content).toContain('"initial_datetime":"2026-12-09 15:00"');
    expect(form.content).toContain('"initial_option":"committee"');
    expect(await h.db.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    expect((await listAudit(h.db.db, { action: 'command:meeting.new' })).map((a) => a.result)).toEqual(['ok']);
  });

  it('把12号整改延期到月底 and 我想报告整改进展: the owner’s item, a reason on the card, the request filed only after 确认', async () => {
    const { chat, secretary, members, orgId } = await boot();
    const owner = members[1] as { openId: string; name: string };
    const at = bj('2026-11-01').toISOString();
    for (let i = 1; i <= 12; i++) {
      await createRectification(h.db.db, {
        org_id: orgId,
        batch_id: null,
        source: '巡察',
        problem: `问题${i}：会议记录不规范`,
        measures: '补齐记录',
        leader: '',
        owner_open_id: i === 12 ? owner.openId : secretary.openId,
        owner_name: i === 12 ? owner.name : '李书记',
        deadline: '2026-12-20',
        kind: 'centralized',
        area: '',
        status: 'in_progress',
        import_key: null,
        created_by: secretary.openId,
        created_at: at,
        updated_at: at,
      });
    }
    const card = await ask(chat.chatId, owner.openId, '把12号整改延期到月底');
    expect(card.title).toBe('请确认：整改事项 #12 申请延期');
    const shown = cardText(card.msg.content);
    expect(shown).toContain('12月20日（星期日）');
    expect(shown).toContain('12月31日（星期四）');
    expect(shown).toContain('问题12');
    expect(await h.db.db.selectFrom('extension_requests').selectAll().execute()).toEqual([]);

    const confirm = button(card.msg, '确认');
    const before = h.emu.botMessages(chat.chatId).length;
    const ok = await h.emu.click({
      messageId: card.msg.messageId,
      from: owner.openId,
      value: confirm.value,
      name: confirm.name,
      formValue: { reason: '需等待上级批复' },
    });
    expect(ok.toast).toEqual({ type: 'success', content: '已确认' });
    expect(messageText(await next(chat.chatId, before, 'the extension answer'))).toContain(
      '已提交延期申请：整改事项 #12 申请延至 2026-12-31',
    );
    const requests = await h.db.db.selectFrom('extension_requests').selectAll().execute();
    expect(requests.map((r) => [r.item_id, r.new_deadline, r.reason])).toEqual([[12, '2026-12-31', '需等待上级批复']]);

    // 我想报告整改进展: the one open item of the owner, opened after 确认 (its card has 报告进展).
    const progress = await ask(chat.chatId, owner.openId, '我想报告整改进展');
    expect(progress.title).toBe('请确认：报告整改进展');
    expect(cardText(progress.msg.content)).toContain('/整改 查看 12');
    const b2 = h.emu.botMessages(chat.chatId).length;
    await h.emu.click({
      messageId: progress.msg.messageId,
      from: owner.openId,
      value: button(progress.msg, '确认').value,
    });
    const item = await next(chat.chatId, b2, 'the item card');
    expect(item.content).toContain('#12');
    // The secretary owns eleven: they pick one on the card.
    const pick = await ask(chat.chatId, secretary.openId, '我想汇报整改进度');
    expect(pick.msg.content).toContain('select_static');
  });

  it('这个月有哪些逾期任务 is confirmed, then listed; anything else gets a polite answer with examples', async () => {
    const { chat, members } = await boot();
    const member = members[0] as { openId: string };
    const card = await ask(chat.chatId, member.openId, '这个月有哪些逾期任务');
    expect(card.title).toBe('请确认：查看');
    expect(cardText(card.msg.content)).toContain('/任务 列表 逾期');
    const before = h.emu.botMessages(chat.chatId).length;
    await h.emu.click({ messageId: card.msg.messageId, from: member.openId, value: button(card.msg, '确认').value });
    expect((await next(chat.chatId, before, 'the overdue list')).msgType).toBe('interactive');
    expect((await listAudit(h.db.db, { action: 'command:task.list' })).map((a) => JSON.parse(String(a.args)))).toEqual([
      ['逾期'],
    ]);

    const p2p = h.emu.p2pChat(member.openId);
    const unknown = await ask(p2p.chatId, member.openId, '今天天气不错', { mentionBot: false });
    expect(unknown.title).toBe('清风 · 没太明白');
    expect(unknown.text).toContain('帮我请假到12月20日');
    expect(unknown.text).not.toContain('这个命令');
    const typo = await ask(p2p.chatId, member.openId, '帮主', { mentionBot: false });
    expect(cardText(typo.msg.content)).toContain('您是不是要找');
    expect(button(typo.msg, '/帮助').value).toMatchObject({ k: 'go' });
  });
});
